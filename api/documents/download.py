"""The HTTP answer that sends a stored file (the API and the web pages both use it)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from fastapi.responses import StreamingResponse

from documents.names import ascii_name
from storage.models import DocumentVersion


def content_disposition(name: str, *, attachment: bool) -> str:
    """Both names a client may read: `filename=` in ASCII (RFC 6266) for the old ones,
    `filename*=UTF-8''…` (RFC 5987) with the Vietnamese name for the others."""
    disposition = "attachment" if attachment else "inline"
    return (
        f"{disposition}; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )


def file_response(
    pieces: Iterator[bytes], v: DocumentVersion, name: str, *, attachment: bool = False
) -> StreamingResponse:
    return StreamingResponse(
        pieces,
        media_type=v.media_type,
        headers={
            "Content-Length": str(v.size),
            "Content-Disposition": content_disposition(name, attachment=attachment),
            "X-Content-SHA256": v.sha256,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
