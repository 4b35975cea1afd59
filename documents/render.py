"""Fill a DOCX form (docxtpl + Jinja) with a dossier's data.

Safety rules, each learnt the hard way:

* autoescape is on, so user text with ``<`` or ``&`` cannot break the document XML;
* the Jinja environment is sandboxed and strict: a form that asks for a value the flow
  did not provide fails with :class:`RenderError` instead of printing an empty string;
* a fresh template object is loaded for every render (docxtpl objects are stateful);
* user text may contain ``{{ }}``: before rendering, braces in the context are swapped
  for private-use placeholders, so that after rendering any ``{{``, ``{%`` or ``}}``
  left in the document can only come from the template itself (a broken or unrendered
  tag), which is refused; the braces are then put back.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, MutableMapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
    nodes,
)
from jinja2.sandbox import SandboxedEnvironment

__all__ = ["RenderError", "render_docx", "template_variables"]

# Private-use code points stand in for the braces of user text while Jinja runs.
_OPEN = "\ue000"
_CLOSE = "\ue001"
_TO_PLACEHOLDER = str.maketrans({"{": _OPEN, "}": _CLOSE})

# Characters XML 1.0 forbids, plus the private-use placeholders themselves. docxtpl also
# turns \a into a new paragraph and \f into a page break, which user text must not do.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ue000\ue001\ud800-\udfff]")

# Parts of the package that hold document text.
_TEXT_PART = re.compile(
    r"^(word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml|docProps/core\.xml)$"
)
_TAG_MARKERS = ("{{", "}}", "{%", "%}", "{#", "#}")
_PLACEHOLDER_REFS = {
    "&#57344;": "{",
    "&#xE000;": "{",
    "&#xe000;": "{",
    "&#57345;": "}",
    "&#xE001;": "}",
    "&#xe001;": "}",
    _OPEN: "{",
    _CLOSE: "}",
}


class RenderError(Exception):
    """The form could not be filled; ``variable`` names the missing value, if that was it.

    ``kind`` says what went wrong, for messages to people: ``"open"`` (not a DOCX),
    ``"syntax"`` (broken Jinja), ``"missing"`` (a value the context lacks),
    ``"leftover"`` (a template tag left in the output), ``"render"`` (anything else).
    """

    def __init__(self, message: str, *, variable: str | None = None, kind: str = "render") -> None:
        super().__init__(message)
        self.variable = variable
        self.kind = "missing" if variable is not None else kind


class _Environment(SandboxedEnvironment):
    """Keeps the templates it compiled, by source. docxtpl hands every part of a form to
    ``from_string`` on every render, and compiling a form's XML cost about as much as
    filling it in; a compiled template holds no state of a render."""

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=True)
        self._kept = lru_cache(maxsize=64)(super().from_string)

    def from_string(
        self,
        source: str | nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[Template] | None = None,
    ) -> Template:
        if globals is None and template_class is None and isinstance(source, str):
            return self._kept(source)
        return super().from_string(source, globals, template_class)


_ENVIRONMENT = _Environment()


def _environment() -> SandboxedEnvironment:
    return _ENVIRONMENT


def _load(template: Path | bytes) -> DocxTemplate:
    try:
        data = template if isinstance(template, bytes) else Path(template).read_bytes()
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.init_docx()
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise RenderError(f"cannot open the DOCX template: {exc}", kind="open") from exc
    return tpl


def template_variables(template: Path | bytes) -> set[str]:
    """Top-level names the template reads from its context (``issuer``, ``collectives`` …)."""
    tpl = _load(template)
    try:
        return set(tpl.get_undeclared_template_variables(jinja_env=_environment()))
    except TemplateError as exc:
        raise RenderError(f"the template is not valid Jinja: {exc}", kind="syntax") from exc


def render_docx(template: Path | bytes, context: Mapping[str, Any]) -> bytes:
    """Render ``template`` with ``context`` and return the DOCX bytes.

    Raises :class:`RenderError` when a value is missing, the template is broken, or a
    template tag would be left in the output.
    """
    tpl = _load(template)
    safe_context = _prepare(context)
    try:
        tpl.render(safe_context, jinja_env=_environment(), autoescape=True)
    except UndefinedError as exc:
        name = _missing_name(template, context, exc)
        raise RenderError(f"missing value for the form: {name} ({exc})", variable=name) from exc
    except TemplateSyntaxError as exc:
        raise RenderError(f"the template is not valid Jinja: {exc}", kind="syntax") from exc
    except TemplateError as exc:
        raise RenderError(f"the template could not be rendered: {exc}") from exc
    out = io.BytesIO()
    tpl.save(out)
    return _restore_braces(out.getvalue())


def _prepare(value: Any) -> Any:
    """Copy the context with clean strings and user braces swapped for placeholders."""
    if isinstance(value, str):
        # str() drops a Markup subclass, so "safe" strings are escaped like any other.
        text = str.__str__(value).replace("\r\n", "\n").replace("\r", "\n")
        return _FORBIDDEN.sub("", text).translate(_TO_PLACEHOLDER)
    if isinstance(value, Mapping):
        return {key: _prepare(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_prepare(item) for item in value]
    return value


def _missing_name(template: Path | bytes, context: Mapping[str, Any], exc: Exception) -> str:
    missing = sorted(template_variables(template) - set(context))
    if missing:
        return ", ".join(missing)
    match = re.search(r"has no attribute '([^']+)'|'([^']+)' is undefined", str(exc))
    if match:
        return match.group(1) or match.group(2)
    return str(exc)


def _restore_braces(docx: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if _TEXT_PART.match(info.filename):
                text = data.decode("utf-8")
                for marker in _TAG_MARKERS:
                    at = text.find(marker)
                    if at >= 0:
                        snippet = re.sub(r"<[^>]+>", "", text[max(at - 200, 0) : at + 200])
                        raise RenderError(
                            f"template tag {marker!r} left in {info.filename}: …{snippet}…",
                            kind="leftover",
                        )
                for ref, brace in _PLACEHOLDER_REFS.items():
                    text = text.replace(ref, brace)
                data = text.encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()
