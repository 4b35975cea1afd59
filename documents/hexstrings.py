"""A faster reader for PDF hex strings, installed into pyHanko's parser.

Every signature dictionary holds its CMS container as a hex string of some 15,000
digits (/Contents). pyHanko reads hex strings one byte at a time through a generator,
and reads every earlier signature again whenever a document is signed or verified:
about a tenth of the CPU of issuing a document went there. This reader takes the
string in one slice and hands anything unusual (a comment inside the string, a bad
digit, a missing ``>``) back to pyHanko's own reader, so the results and the errors
stay pyHanko's.
"""

from __future__ import annotations

import binascii
import os
import re
from typing import Any

from pyhanko.pdf_utils import generic

__all__ = ["install", "read_hex_string"]

_original = generic.read_hex_string_from_stream
_WHITESPACE = b" \n\r\t\f\x00"  # PDF whitespace (pyhanko.pdf_utils.misc.PDF_WHITESPACE)
_HEX = re.compile(rb"[0-9a-fA-F]*")
_CHUNK = 1 << 15


def read_hex_string(stream: Any) -> generic.ByteStringObject | generic.TextStringObject:
    """Read ``<…>`` at the stream's position, like pyHanko's reader, only faster."""
    start = stream.tell()
    stream.read(1)  # "<"
    body = bytearray()
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break  # no ">": pyHanko's reader raises its own error
        end = chunk.find(b">")
        if end >= 0:
            body += chunk[:end]
            stream.seek(end + 1 - len(chunk), os.SEEK_CUR)
            digits = bytes(body).translate(None, _WHITESPACE)
            if _HEX.fullmatch(digits):
                if len(digits) % 2:
                    digits += b"0"
                return generic.pdf_string(binascii.unhexlify(digits))
            break  # a comment or a bad digit: pyHanko's reader decides
        body += chunk
    stream.seek(start)
    return _original(stream)


def install() -> None:
    """Make pyHanko's object reader use :func:`read_hex_string` (idempotent)."""
    generic.read_hex_string_from_stream = read_hex_string
