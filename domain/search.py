"""Searching Vietnamese text as people type it: without caring for capitals, tone marks,
vowel marks or the letter đ, and whatever Unicode form (NFC from one keyboard, NFD from
another, the old "hoà" or the new "hòa" placement of a tone mark) the text came in.

Both sides are folded the same way: the text stored for searching (`search_document`)
and the words of a query (`query_words`). A query matches when every one of its words is
found in the folded text, in any order. No I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# đ/Đ are letters of their own (not d plus a mark), so decomposition leaves them alone;
# Ð (U+00D0, Icelandic eth) is what some fonts and keyboards produce for Đ.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})

MAX_QUERY_WORDS = 10
_COMMON_MARKS = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lower case, without marks, đ as d, runs of white space (and control characters,
    which PostgreSQL's text refuses) as one space."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    # Fast paths (a million names at an import): the marks Vietnamese uses are all in
    # U+0300–U+036F; any other combining mark, or a control character (never printable),
    # takes the character by character way.
    bare = _COMMON_MARKS.sub("", decomposed)
    if not bare.isascii():
        bare = "".join(c for c in bare if not unicodedata.combining(c))
    if not bare.isprintable():
        bare = "".join(" " if unicodedata.category(c) == "Cc" else c for c in bare)
    return " ".join(bare.casefold().split())


def search_document(title: str, names: Iterable[str]) -> str:
    """What a dossier is found by: its title and its nominees' names, folded, one per
    line (a word of a query never spans two of them)."""
    return "\n".join(fold(part) for part in (title, *names) if part and part.strip())


def query_words(query: str | None) -> list[str]:
    """The folded words of a query, each once, in the order typed (at most
    `MAX_QUERY_WORDS`: each is one more condition on every row)."""
    seen: list[str] = []
    for word in fold(query or "").split():
        if word not in seen:
            seen.append(word)
    return seen[:MAX_QUERY_WORDS]
