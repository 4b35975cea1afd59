"""Request guards in front of every route, and security headers on every answer.

- Bodies are counted while they stream in: above the limit the request is answered 413
  at once, before anything is parsed or spooled to disk (multipart uploads: the upload
  limit; anything else: `MAX_OTHER_BODY`).
- A JSON body must be UTF-8 and nested at most `MAX_JSON_DEPTH` deep; otherwise 422
  (Python's parser would otherwise recurse until it fails with a server error).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from api.errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_OTHER_BODY = 1024 * 1024
MAX_JSON_DEPTH = 32

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"object-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'self'; "
        b"form-action 'self'",
    ),
]


class _TooLarge(Exception):
    pass


def json_depth(raw: bytes) -> int:
    """How deep brackets nest, outside strings (a linear scan, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


class RequestGuard:
    def __init__(
        self, app: ASGIApp, upload_limit: int, large_uploads: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.upload_limit = upload_limit
        self.large_uploads = large_uploads or {}
        """Addresses whose multipart uploads have a limit of their own (the registry's
        imports of past awards: a table of 100 000 rows)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = headers
            await send(message)

        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        upload_limit = self.large_uploads.get(scope.get("path", ""), self.upload_limit)
        limit = upload_limit + 64 * 1024 if kind == b"multipart/form-data" else MAX_OTHER_BODY
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _answer(send_with_headers, 413, "Dữ liệu gửi lên quá lớn.", "payload_too_large")
            return

        if kind == b"application/json":
            # Small by the limit above: read it whole, check it, then hand it on.
            chunks, size = [], 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    await self.app(scope, _replay([message], receive), send_with_headers)
                    return
                size += len(message.get("body", b""))
                if size > limit:
                    await _answer(
                        send_with_headers, 413, "Dữ liệu gửi lên quá lớn.", "payload_too_large"
                    )
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
            raw = b"".join(chunks)
            problem = _json_problem(raw)
            if problem:
                await _answer(send_with_headers, 422, problem, "invalid_input")
                return
            await self.app(
                scope, _replay([{"type": "http.request", "body": raw}], receive), send_with_headers
            )
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send_with_headers(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _answer(
                    send_with_headers, 413, "Dữ liệu gửi lên quá lớn.", "payload_too_large"
                )


def _json_problem(raw: bytes) -> str | None:
    if not raw.strip():
        return None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "Dữ liệu không hợp lệ – JSON phải được mã hóa UTF-8."
    if json_depth(raw) > MAX_JSON_DEPTH:
        return f"Dữ liệu không hợp lệ – JSON lồng nhau quá {MAX_JSON_DEPTH} cấp."
    return None


def _replay(messages: list[Message], then: Receive) -> Receive:
    """Hand on what was read already, then the live channel (a real disconnect)."""
    queue = list(messages)

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        return await then()

    return receive


async def _answer(send: Send, status: int, detail: str, code: str) -> None:
    body = json.dumps(error_body(detail, code), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
