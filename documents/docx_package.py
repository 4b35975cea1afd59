"""Whether a .docx is safe to keep or open, from its package alone: a real Word document
(not a macro-enabled .docm, not a template), no zip bomb, no VBA, ActiveX or embedded
objects, no references outside the file, no fields that fetch content.

Checked for every uploaded .docx (documents/inspect.py) and, first of all, for a new
template version (doc_templates/validation.py).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from docx.oxml.ns import qn
from lxml import etree

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
_TEMPLATE_MAINS = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Parts that carry code or objects Word would run or activate (printer settings, also
# stored as .bin parts, are harmless and common).
_ACTIVE_PART = re.compile(r"(^|/)(vbaProject|vbaData)|/activeX/|/embeddings/", re.I)
_ACTIVE_TYPE = re.compile(r"macroEnabled|vbaProject|vbaData|activeX|oleObject", re.I)
# Field codes that pull content from outside the file when Word updates them (a field's
# code may be split over several runs, so the codes of a part are searched together).
_FETCHING_FIELD = re.compile(
    r"(?<![A-Z])(INCLUDETEXT|INCLUDEPICTURE|DDEAUTO|DDE|LINK|IMPORT)(?![A-Z])"
)

MAX_PARTS = 1000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a zip bomb is refused before it is inflated

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def package_problems(data: bytes) -> list[str]:
    """What makes a .docx unsafe to keep or open: not a real .docx, a zip bomb, macros,
    ActiveX or embedded objects, external references, fields that fetch content."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return ["Tệp không phải là tài liệu Word .docx (không đọc được cấu trúc tệp)."]
    with z:
        if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
            return ["Tệp .docx quá lớn khi giải nén (có thể là tệp nén độc hại)."]
        names = {i.filename for i in infos}
        if any(n.startswith("/") or ".." in n.split("/") for n in names):
            return ["Tệp .docx có đường dẫn bên trong không hợp lệ."]
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            return ["Tệp không phải là tài liệu Word .docx (thiếu phần nội dung chính)."]
        try:
            types = _xml(z, "[Content_Types].xml")
        except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile, OSError):
            return ["Tệp .docx bị hỏng (không đọc được danh mục thành phần)."]
        main = _content_type(types, "/word/document.xml")
        if main == _MACRO_MAIN:
            return [
                "Tệp là tài liệu có macro (.docm); chỉ nhận tài liệu Word .docx không có macro."
            ]
        if main in _TEMPLATE_MAINS:
            return ["Tệp là mẫu Word (.dotx/.dotm); hãy lưu thành tài liệu Word .docx."]
        if main != DOCX_MAIN:
            return [f"Tệp không phải là tài liệu Word .docx (loại nội dung: {main or 'không rõ'})."]

        problems: list[str] = []
        declared = [
            (el.get("PartName") or el.get("Extension") or "", el.get("ContentType") or "")
            for el in types
        ]
        active = sorted(
            {n for n in names if _ACTIVE_PART.search(n)}
            | {p.lstrip("/") for p, ct in declared if _ACTIVE_TYPE.search(ct)}
        )
        if active:
            problems.append(
                "Tệp chứa macro, điều khiển ActiveX hoặc đối tượng nhúng: "
                f"{', '.join(active[:5])}. Hãy xóa chúng rồi lưu lại thành .docx."
            )
        external = []
        for name in sorted(n for n in names if n.endswith(".rels")):
            try:
                rels = _xml(z, name)
            except etree.XMLSyntaxError:
                problems.append(f"Tệp .docx bị hỏng ({name}).")
                continue
            for rel in rels.iter(f"{_REL}Relationship"):
                if (rel.get("TargetMode") or "").lower() == "external":
                    kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
                    external.append(f"{kind} → {(rel.get('Target') or '')[:80]}")
        if external:
            problems.append(
                "Tệp có liên kết ra bên ngoài (mẫu, ảnh, đối tượng hoặc siêu liên kết "
                f"liên kết ngoài): {'; '.join(external[:5])}. Biểu mẫu phải tự chứa mọi nội dung."
            )
        fields = []
        for name in sorted(n for n in names if re.match(r"word/[^/]+\.xml$", n)):
            try:
                root = _xml(z, name)
            except etree.XMLSyntaxError:
                problems.append(f"Tệp .docx bị hỏng ({name}).")
                continue
            codes = "".join(t.text or "" for t in root.iter(qn("w:instrText")))
            codes += " ".join(f.get(qn("w:instr")) or "" for f in root.iter(qn("w:fldSimple")))
            fields += [m.group(1) for m in _FETCHING_FIELD.finditer(codes.upper())]
        if fields:
            problems.append(
                "Tệp có trường (field) lấy nội dung từ bên ngoài khi Word cập nhật: "
                f"{', '.join(sorted(set(fields)))}."
            )
        return problems


def _xml(z: zipfile.ZipFile, name: str) -> Any:
    return etree.fromstring(z.read(name), _SAFE_PARSER)


def _content_type(types: Any, part: str) -> str | None:
    for el in types.iter(f"{_CT}Override"):
        if (el.get("PartName") or "").lower() == part:
            return str(el.get("ContentType"))
    return None
