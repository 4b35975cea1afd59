"""The HTTP answer that sends a stored file (the API and the web pages both use it)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from fastapi.responses import StreamingResponse

from storage.models import DocumentVersion


def file_response(
    pieces: Iterator[bytes], v: DocumentVersion, *, attachment: bool = False
) -> StreamingResponse:
    disposition = "attachment" if attachment else "inline"
    return StreamingResponse(
        pieces,
        media_type=v.media_type,
        headers={
            "Content-Length": str(v.size),
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(v.file_name, safe='')}",
            "X-Content-SHA256": v.sha256,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
