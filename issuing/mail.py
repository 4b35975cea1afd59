"""Sending one email over SMTP (smtplib), with STARTTLS when the settings ask for it:
a plain-text part and an HTML alternative. Nothing here logs the addresses."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from core.settings import Settings
from domain.reminders import Mail


def enabled(settings: Settings) -> bool:
    """Email is on when a mail server is configured."""
    return bool(settings.smtp_host)


def message(settings: Settings, to: str, mail: Mail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_sender
    msg["To"] = to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.smtp_sender.rpartition("@")[2] or None)
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    return msg


def send(settings: Settings, to: str, mail: Mail) -> None:
    """Send `mail` to `to`; raises on any failure (the reminder stays claimed, unsent,
    and a later run retries it after the lease)."""
    msg = message(settings, to, mail)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as c:
        if settings.smtp_starttls:
            context = ssl.create_default_context(cafile=settings.smtp_ca_bundle or None)
            c.starttls(context=context)
        if settings.smtp_username:
            c.login(settings.smtp_username, settings.smtp_password)
        c.send_message(msg)
