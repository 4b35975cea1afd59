"""pyHanko's internals as documents/pyhanko_internals.py replaces them: the fast token
readers give pyHanko's results and errors and leave the stream where pyHanko's readers
would; they are in place only after install(); and the installed pyHanko is the one
they were written against."""

from __future__ import annotations

import inspect
import subprocess
import sys
from importlib.metadata import version
from io import BytesIO

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfReadError, PdfStreamError

from documents import pyhanko_internals
from tests.fixtures.internals import ROOT, pinned, resolve

# Hex digits mostly, with the whitespace, comments, bad bytes and ">" that can occur.
_PIECES = st.sampled_from(
    [b"0", b"7", b"a", b"F", b"e9", b" ", b"\n", b"\r\n", b"\x00", b"%c\n", b"g", b">", b"<", b")"]
)
# What follows a "/" or an operator in a PDF: names, escapes, delimiters, whitespace,
# bytes beyond ASCII, and now and then a token longer than one slice.
_TOKEN_PIECES = st.sampled_from(
    [
        *(b"Type", b"Sig", b"A", b"1.5", b"#20", b"#2", b"#zz", b"#", b" ", b"\n", b"\x00"),
        *(b"/", b"(", b")", b"<", b">", b"[", b"]", b"{", b"}", b"%", b"\xc3\xa1", b"\xff"),
        *(b"\x7f", b"\x01", b"x" * 300),
    ]
)


def _read(reader, data: bytes) -> tuple[object, int]:
    stream = BytesIO(data)
    try:
        value = reader(stream)
    except PdfStreamError as exc:
        return ("error", str(exc)), stream.tell()
    return (type(value).__name__, bytes(value.original_bytes)), stream.tell()


@given(st.lists(_PIECES, max_size=40).map(b"".join), st.binary(max_size=8))
def test_reads_hex_strings_as_pyhanko_does(body: bytes, tail: bytes) -> None:
    data = b"<" + body + tail
    assert _read(pyhanko_internals.read_hex_string, data) == _read(
        pyhanko_internals._original_hex_string, data
    )


def test_a_signature_sized_string_is_read_whole_and_the_stream_left_after_it() -> None:
    payload = bytes(range(256)) * 40  # longer than one chunk as hex
    data = b"<" + payload.hex().encode() + b"> /Type /Sig"
    stream = BytesIO(data)
    value = pyhanko_internals.read_hex_string(stream)
    assert bytes(value.original_bytes) == payload
    assert stream.read() == b" /Type /Sig"


def test_a_bad_digit_is_pyhankos_error() -> None:
    with pytest.raises(PdfStreamError, match="Unexpected token in hex string"):
        pyhanko_internals.read_hex_string(BytesIO(b"<0a1x>"))


def _token(reader, data: bytes, start: int) -> tuple[bytes, int]:
    stream = BytesIO(data)
    stream.seek(min(start, len(data)))
    return reader(stream), stream.tell()


@given(st.lists(_TOKEN_PIECES, max_size=12).map(b"".join), st.integers(0, 12))
def test_reads_tokens_as_pyhanko_does(data: bytes, start: int) -> None:
    assert _token(pyhanko_internals.read_until_delimiter, data, start) == _token(
        pyhanko_internals._original_until_delimiter, data, start
    )


def _name(decode, name_bytes: bytes) -> tuple[str, str]:
    try:
        name = decode(name_bytes)
    except PdfReadError as exc:
        return "error", str(exc)
    assert isinstance(name, generic.NameObject)
    return "name", str(name)


@given(st.lists(_TOKEN_PIECES, max_size=8).map(b"".join))
def test_decodes_names_as_pyhanko_does(name_bytes: bytes) -> None:
    assert _name(pyhanko_internals.decode_name, name_bytes) == _name(
        pyhanko_internals._original_decode_name, name_bytes
    )


def test_a_signed_pdf_reads_the_same_with_either_reader() -> None:
    """The names, numbers and strings of a whole signed document, read once with pyHanko's
    readers and once with these."""
    import asyncio

    from pyhanko.pdf_utils.reader import PdfFileReader

    from documents.sign import sign_pdf
    from tests.fixtures.pki import org_signer, simple_pdf

    pdf = asyncio.run(
        sign_pdf(
            simple_pdf("Tờ trình #1 (A/B) <x> [y] {z} 50%"),
            org_signer("Ban Thi đua – Khen thưởng"),
            field_name="Ký#1",
            reason="Phê duyệt",
            location="Lạng Sơn",
            stamp_lines=["Ký bởi: Ban Thi đua – Khen thưởng"],
        )
    )

    def everything() -> list[str]:
        """Every object reachable from the trailer, in a fixed order."""
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        seen: set[tuple[int, int]] = set()
        found: list[str] = []

        def walk(obj: object) -> None:
            if isinstance(obj, generic.IndirectObject):
                if (obj.idnum, obj.generation) in seen:
                    return
                seen.add((obj.idnum, obj.generation))
                obj = obj.get_object()
            if isinstance(obj, generic.DictionaryObject):
                for key in sorted(obj):
                    found.append(repr(key))
                    walk(obj.raw_get(key))
            elif isinstance(obj, generic.ArrayObject):
                for i in range(len(obj)):
                    walk(obj.raw_get(i))
            elif isinstance(obj, generic.NullObject):
                found.append("null")
            else:
                found.append(f"{type(obj).__name__} {obj!r}")

        for key in sorted(reader.trailer):
            walk(reader.trailer.raw_get(key))
        return found

    fast = everything()
    pyhanko_internals.restore()
    try:
        slow = everything()
    finally:
        pyhanko_internals.install()
    assert fast == slow
    assert "NameObject '/Sig'" in fast and len(fast) > 100, fast[:20]


def test_importing_the_signing_modules_replaces_nothing() -> None:
    """Only an explicit install() replaces pyHanko's readers (in a fresh interpreter: this
    session installed them at its start)."""
    code = (
        "import documents.sign, documents.verify, documents.signing_pool, api.app\n"
        "from pyhanko.pdf_utils import generic\n"
        "from documents import pyhanko_internals as p\n"
        "assert generic.read_hex_string_from_stream is p._original_hex_string\n"
        "assert generic.read_until_delimiter is p._original_until_delimiter\n"
        "assert generic._decode_name is p._original_decode_name\n"
        "p.install(); p.install()\n"
        "assert generic.read_hex_string_from_stream is p.read_hex_string\n"
        "assert generic.read_until_delimiter is p.read_until_delimiter\n"
        "assert generic._decode_name is p.decode_name\n"
        "p.restore()\n"
        "assert generic._decode_name is p._original_decode_name\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_installed_for_the_test_session_as_at_start_up() -> None:
    assert generic.read_hex_string_from_stream is pyhanko_internals.read_hex_string
    assert generic.read_until_delimiter is pyhanko_internals.read_until_delimiter
    assert generic._decode_name is pyhanko_internals.decode_name


@pytest.mark.parametrize("distribution", sorted(pyhanko_internals.VERSIONS))
def test_installed_version_is_the_one_the_internals_were_written_against(
    distribution: str,
) -> None:
    """A pyHanko upgrade past the range fails here, not in a signature at run time: read
    the new version's readers, adjust the module, then move the range and the pin."""
    declared = pyhanko_internals.VERSIONS[distribution]
    assert version(distribution) in SpecifierSet(declared), (distribution, version(distribution))
    assert declared in pinned(distribution), "pyproject.toml pins another range"


@pytest.mark.parametrize(
    ("name", "parameters"),
    sorted({**pyhanko_internals.REPLACED, **pyhanko_internals.RELIED_ON}.items()),
)
def test_the_internals_still_exist_with_the_expected_parameters(
    name: str, parameters: tuple[str, ...]
) -> None:
    originals = {
        "read_hex_string_from_stream": pyhanko_internals._original_hex_string,
        "read_until_delimiter": pyhanko_internals._original_until_delimiter,
        "_decode_name": pyhanko_internals._original_decode_name,
    }
    found = resolve(name)
    if name in pyhanko_internals.REPLACED:  # pyHanko's own, as captured before install()
        found = originals[name.rsplit(":")[1]]
    assert tuple(inspect.signature(found).parameters) == parameters
