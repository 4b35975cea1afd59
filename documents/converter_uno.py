"""One warm LibreOffice, driven over UNO: the helper behind ``documents.pdf``'s warm pool.

Run by the *system* Python (``/usr/bin/python3``), which has Debian's ``python3-uno``;
the project's virtualenv cannot import ``uno``. It imports nothing from the project.

    /usr/bin/python3 converter_uno.py SOFFICE PROFILE_DIR

It starts ``SOFFICE`` headless with its own profile, listening on a private pipe,
connects, then answers one JSON request per line on stdin with one JSON line on stdout:

    {"ready": true}                                  once LibreOffice is reachable
    {"in": "/x/document.docx", "out": "/x/document.pdf"}  ->  {"ok": true}
                                                          or {"ok": false, "error": "..."}

One document at a time: the parent sends the next request only after the answer. When
stdin closes (the parent exited, was killed, or dropped this instance), LibreOffice is
terminated and the helper's process group with it.
The parent runs this in its own process group and kills the group on a timeout, which
also takes LibreOffice (started here without a new session).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from typing import Any


def main() -> int:
    soffice, profile = sys.argv[1], sys.argv[2]
    import uno  # the system python3-uno
    from com.sun.star.beans import PropertyValue

    def props(**values: object) -> tuple[object, ...]:
        out = []
        for name, value in values.items():
            p = PropertyValue()
            p.Name, p.Value = name, value
            out.append(p)
        return tuple(out)

    pipe = f"tdkt-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    office = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={uno.systemPathToFileUrl(os.path.abspath(profile))}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    desktop = None
    try:
        desktop = _connect(uno, office, pipe)
        if desktop is None:
            return 1
        reply({"ready": True})
        for line in sys.stdin:
            request = json.loads(line)
            try:
                document = desktop.loadComponentFromURL(
                    uno.systemPathToFileUrl(request["in"]),
                    "_blank",
                    0,
                    props(Hidden=True, ReadOnly=True),
                )
                if document is None:
                    raise RuntimeError("LibreOffice could not load the document")
                try:
                    document.storeToURL(
                        uno.systemPathToFileUrl(request["out"]),
                        props(FilterName="writer_pdf_Export"),
                    )
                finally:
                    document.close(True)
                reply({"ok": True})
            except Exception as exc:  # a bad document must not end the instance
                reply({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]})
    finally:
        # Every way out, also a parent that died while LibreOffice was starting (the
        # "ready" line then fails with a broken pipe).
        if desktop is not None:
            with contextlib.suppress(Exception):  # the bridge drops as LibreOffice exits
                desktop.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            office.wait(10)
        if os.getpgid(0) == os.getpid():
            # The launcher (oosplash) and soffice.bin do not always end with the bridge:
            # soffice.bin ran on, or the launcher waited on its exited child. This helper
            # leads their process group: end it, itself last.
            os.killpg(0, signal.SIGKILL)
    return 0


def _connect(uno: Any, office: subprocess.Popen[bytes], pipe: str) -> Any:
    """LibreOffice's desktop once it listens on `pipe`; None (said on stdout) if it never
    does within two minutes."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:  # NoConnectException until soffice listens
            if office.poll() is not None or time.monotonic() > deadline:
                reply({"ready": False, "error": f"LibreOffice did not start ({office.poll()})"})
                return None
            time.sleep(0.1)


def reply(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
