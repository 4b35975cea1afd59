"""The fast hex-string reader gives pyHanko's results and errors, and leaves the stream
where pyHanko's reader would."""

from __future__ import annotations

from io import BytesIO

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyhanko.pdf_utils.misc import PdfStreamError

from documents import hexstrings

# Hex digits mostly, with the whitespace, comments, bad bytes and ">" that can occur.
_PIECES = st.sampled_from(
    [b"0", b"7", b"a", b"F", b"e9", b" ", b"\n", b"\r\n", b"\x00", b"%c\n", b"g", b">", b"<", b")"]
)


def _read(reader, data: bytes) -> tuple[object, int]:
    stream = BytesIO(data)
    try:
        value = reader(stream)
    except PdfStreamError as exc:
        return ("error", str(exc)), stream.tell()
    return (type(value).__name__, bytes(value.original_bytes)), stream.tell()


@given(st.lists(_PIECES, max_size=40).map(b"".join), st.binary(max_size=8))
def test_reads_what_pyhankos_reader_reads(body: bytes, tail: bytes) -> None:
    data = b"<" + body + tail
    assert _read(hexstrings.read_hex_string, data) == _read(hexstrings._original, data)


def test_a_signature_sized_string_is_read_whole_and_the_stream_left_after_it() -> None:
    payload = bytes(range(256)) * 40  # longer than one chunk as hex
    data = b"<" + payload.hex().encode() + b"> /Type /Sig"
    stream = BytesIO(data)
    value = hexstrings.read_hex_string(stream)
    assert bytes(value.original_bytes) == payload
    assert stream.read() == b" /Type /Sig"


def test_a_bad_digit_is_pyhankos_error() -> None:
    with pytest.raises(PdfStreamError, match="Unexpected token in hex string"):
        hexstrings.read_hex_string(BytesIO(b"<0a1x>"))


def test_installed_for_signing_and_verifying() -> None:
    from pyhanko.pdf_utils import generic

    import documents.sign  # noqa: F401  (installs it)

    assert generic.read_hex_string_from_stream is hexstrings.read_hex_string
