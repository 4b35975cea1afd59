"""Every pyHanko internal tdkt replaces, in one place, installed by ``install()``.

Written against pyhanko >=0.38,<0.39 and pyhanko-certvalidator >=0.33,<0.34 (the
ranges pinned in pyproject.toml; tests/documents/test_pyhanko_internals.py fails when
the installed versions leave them or an internal below changes its signature).

Nothing is replaced when this module is imported: the processes that sign or verify
PDFs call :func:`install` once at start-up (the app, the signing pool's processes, the
server-mode worker, ``tdkt verify-pdf``, the test session). A process
that does not is only slower: the readers give pyHanko's own results.

Replaced (module attributes of ``pyhanko.pdf_utils.generic``, looked up by pyHanko's
object reader at each call):

- ``read_hex_string_from_stream(stream)``, ``read_until_delimiter(stream)`` and
  ``_decode_name(name_bytes)`` — by the faster readers below.

Relied on without being replaced (their signatures are checked by the same test):

- ``pyhanko.keys.internal.translate_pyca_cryptography_key_to_asn1`` (documents/sign.py,
  documents/timestamps.py: a key parsed once, without cryptography's slow RSA check);
- ``SimpleSigner.async_sign_raw(data, digest_algorithm, dry_run)`` and ``sign_raw``,
  overridden by documents/sign.py's ``_PreloadedKeySigner``;
- ``HTTPTimeStamper._acquire_session()`` and ``DummyTimeStamper._sign_tst_info(…)``,
  overridden by documents/timestamps.py (one TLS context per process; the demo TSA's key
  loaded once);
- ``FontEngineFactory.create_font_engine(writer, obj_stream)`` and ``GlyphAccumulator``'s
  keyword arguments, used by documents/stamp.py's ``_StampFontFactory`` (pyHanko 0.38
  writes glyph advances in font units: the font program is rescaled there).

Why the readers: pyHanko parses the whole document whenever it is signed or verified, reading most
tokens one byte at a time through a generator. Three readers carried much of that:

- hex strings: every signature dictionary holds its CMS container as a hex string of
  some 15,000 digits (/Contents), and every earlier signature is read again whenever a
  document is signed or verified (about a tenth of the CPU of issuing a document);
- the bytes of a token up to the next delimiter, and the decoding of a name from them:
  every dictionary key and most values (about a fifth of a signature check's CPU).

Each reader here takes its token in one slice and hands anything unusual (a comment
inside a hex string, a bad digit, a ``#`` escape in a name, a token longer than one
slice) back to pyHanko's own reader, so the results, the errors and the position the
stream is left at stay pyHanko's (tests/documents/test_pyhanko_internals.py compares them).
"""

from __future__ import annotations

import binascii
import os
import re
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_DELIMITERS, PDF_WHITESPACE

__all__ = [
    "RELIED_ON",
    "REPLACED",
    "VERSIONS",
    "decode_name",
    "install",
    "read_hex_string",
    "read_until_delimiter",
    "restore",
]

# The distributions and the version ranges this module was written against.
VERSIONS = {"pyhanko": ">=0.38,<0.39", "pyhanko-certvalidator": ">=0.33,<0.34"}

# "module:qualified name" → the parameters it is expected to take.
REPLACED = {
    "pyhanko.pdf_utils.generic:read_hex_string_from_stream": ("stream",),
    "pyhanko.pdf_utils.generic:read_until_delimiter": ("stream",),
    "pyhanko.pdf_utils.generic:_decode_name": ("name_bytes",),
}
RELIED_ON = {
    "pyhanko.keys.internal:translate_pyca_cryptography_key_to_asn1": ("private_key",),
    "pyhanko.sign.signers:SimpleSigner.async_sign_raw": (
        "self",
        "data",
        "digest_algorithm",
        "dry_run",
    ),
    "pyhanko.sign.signers:SimpleSigner.sign_raw": ("self", "data", "digest_algorithm"),
    "pyhanko.sign.timestamps.aiohttp_client:HTTPTimeStamper._acquire_session": ("self",),
    "pyhanko.sign.timestamps.dummy_client:DummyTimeStamper._sign_tst_info": (
        "self",
        "tst_info_data",
        "md_algorithm",
        "dt",
    ),
    "pyhanko.pdf_utils.font.api:FontEngineFactory.create_font_engine": (
        "self",
        "writer",
        "obj_stream",
    ),
    "pyhanko.pdf_utils.font.opentype:GlyphAccumulator.__init__": (
        "self",
        "writer",
        "font_handle",
        "font_size",
        "features",
        "ot_language_tag",
        "ot_script_tag",
        "writing_direction",
        "bcp47_lang_code",
        "obj_stream",
    ),
}

_original_hex_string = generic.read_hex_string_from_stream
_original_until_delimiter = generic.read_until_delimiter
_original_decode_name = generic._decode_name

_HEX = re.compile(rb"[0-9a-fA-F]*")
_CHUNK = 1 << 15
_TOKEN_END = re.compile(b"[" + re.escape(PDF_WHITESPACE + PDF_DELIMITERS) + b"]")
_TOKEN_SLICE = 256
# What a name may hold without a # escape: 0x21–0x7E except the delimiters (and #).
_NAME_BYTES = bytes(b for b in range(0x21, 0x7F) if b not in PDF_DELIMITERS and b != 0x23)


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
            digits = bytes(body).translate(None, PDF_WHITESPACE)
            if _HEX.fullmatch(digits):
                if len(digits) % 2:
                    digits += b"0"
                return generic.pdf_string(binascii.unhexlify(digits))
            break  # a comment or a bad digit: pyHanko's reader decides
        body += chunk
    stream.seek(start)
    return _original_hex_string(stream)


def read_until_delimiter(stream: Any) -> bytes:
    """The bytes up to the next whitespace or delimiter, the stream left on it (or at the
    end of the stream), like pyHanko's reader."""
    start = stream.tell()
    chunk = stream.read(_TOKEN_SLICE)
    found = _TOKEN_END.search(chunk)
    if found is not None:
        stream.seek(start + found.start())
        return chunk[: found.start()]
    if len(chunk) < _TOKEN_SLICE:
        return chunk  # the stream ended first
    stream.seek(start)  # a longer token: pyHanko's reader
    return _original_until_delimiter(stream)


def decode_name(name_bytes: bytes) -> generic.NameObject:
    """A name object from its bytes after the ``/``; escapes are pyHanko's to decode."""
    if not name_bytes.translate(None, _NAME_BYTES):
        return generic.NameObject("/" + name_bytes.decode("ascii"))
    return _original_decode_name(name_bytes)


def install() -> None:
    """Make pyHanko's object reader use these readers (idempotent: plain assignments of
    the same functions)."""
    generic.read_hex_string_from_stream = read_hex_string
    generic.read_until_delimiter = read_until_delimiter
    generic._decode_name = decode_name


def restore() -> None:
    """pyHanko's own readers again (to compare with them)."""
    generic.read_hex_string_from_stream = _original_hex_string
    generic.read_until_delimiter = _original_until_delimiter
    generic._decode_name = _original_decode_name
