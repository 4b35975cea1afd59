"""DOCX → PDF with the real LibreOffice: every form, filled with a demanding dossier (a
long unit name, a 40-row list, user text with ``< & " {{ }}`` and diacritics), read back
from the PDF word by word with positions and fonts, as the official who receives it sees
it: the elements of NĐ 30/2020 in their places and order, the margins, the font, the
user's text verbatim. Plus failure handling with a stand-in soffice."""

import asyncio
import re
import stat
import time
from pathlib import Path

import pytest

from doc_templates.catalogue import FORMS, template_path
from documents.pdf import ConversionError, PdfConverter
from documents.render import render_docx
from tests.fixtures.forms import TRICKY_ACHIEVEMENT, TRICKY_NAME, TRICKY_REASON, sample_context
from tests.fixtures.pdf_layout import Line, Page, Rule, flat_text, read_pdf

CODES = sorted(FORMS)
CONTEXT = sample_context()
PAGE_MM = (210.0, 297.0)
# NĐ 30/2020, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
TOP, BOTTOM, LEFT, RIGHT = (20, 25), (20, 25), (30, 35), (15, 20)
TOLERANCE = 0.3  # mm: glyph side bearings, the width of a table's border
TEXT_CENTER = (30 + 195) / 2  # the middle of the text area between the margins
HEAD_SPLIT = 30 + 68  # the heading's two columns: issuing body | Quốc hiệu
ISSUER_CENTER = (30 + HEAD_SPLIT) / 2
USER_TEXT = {
    "bao_cao_thanh_tich": (TRICKY_NAME, TRICKY_ACHIEVEMENT),
    "to_trinh_don_vi": (TRICKY_NAME, TRICKY_ACHIEVEMENT),
    "to_trinh_cum": (TRICKY_NAME, TRICKY_ACHIEVEMENT),
    "to_trinh_ban": (TRICKY_NAME, TRICKY_ACHIEVEMENT),
    "to_trinh_dot": (TRICKY_NAME,),
    "phieu_tham_dinh": (TRICKY_NAME,),
    "thong_bao": (TRICKY_REASON,),
    "bien_ban_hoi_dong": (TRICKY_NAME,),
    "bien_ban_binh_xet_cum": (TRICKY_NAME,),
    "quyet_dinh_khen_thuong": (TRICKY_NAME,),
    "giao_uoc_thi_dua": (TRICKY_NAME, TRICKY_ACHIEVEMENT),
    "ke_hoach_thi_dua_cum": (TRICKY_NAME, TRICKY_ACHIEVEMENT),
    "to_trinh_cum_tong_hop": (TRICKY_NAME,),
    "bao_cao_so_ket_cum": (TRICKY_NAME, TRICKY_ACHIEVEMENT),
}


@pytest.fixture(scope="module")
async def forms(tmp_path_factory) -> dict[str, list[Page]]:
    """Every form converted once, concurrently by one converter (the slow part)."""
    root = tmp_path_factory.mktemp("pdf")
    converter = PdfConverter(root / "profiles", workers=2, timeout=60)
    pdfs = await asyncio.gather(
        *(converter.convert(render_docx(template_path(code), CONTEXT)) for code in CODES)
    )
    return {code: read_pdf(pdf) for code, pdf in zip(CODES, pdfs, strict=True)}


def lines_of(pages: list[Page]) -> list[Line]:
    return [line for page in pages for line in page.lines]


def one(lines: list[Line], text: str, after: Line | None = None) -> Line:
    found = [ln for ln in lines if ln.text == text and (after is None or ln.at > after.at)]
    assert len(found) == 1, (text, [ln.text for ln in lines])
    return found[0]


def next_line(lines: list[Line], after: Line) -> Line:
    return lines[lines.index(after) + 1]


def rule_below(page: Page, line: Line, before: float) -> Rule:
    """The horizontal rule drawn under ``line`` and above the height ``before``."""
    rules = [r for r in page.rules if r.horizontal and line.baseline < r.top < before]
    assert rules, f"no rule under «{line.text}»"
    return rules[0]


def test_pages_are_a4_and_set_in_liberation_serif(forms):
    for code, pages in forms.items():
        for page in pages:
            assert abs(page.width - PAGE_MM[0]) < 0.5 and abs(page.height - PAGE_MM[1]) < 0.5
            assert page.fonts, (code, page.number)
            for font in page.fonts:  # Times New Roman is substituted by its metric twin
                assert re.fullmatch(r"(LiberationSerif|TimesNewRoman(PS)?)(-.*)?", font), font


@pytest.mark.parametrize("code", CODES)
def test_text_stays_within_the_decree_margins_on_every_page(forms, code):
    for page in forms[code]:
        lines = page.lines
        if page.number > 1:
            # The page number, centred in the top margin from page 2 on.
            number, *lines = lines
            assert number.text == str(page.number)
            assert abs(number.center - TEXT_CENTER) < 1 and number.bottom < TOP[0]
        else:
            assert not re.fullmatch(r"\d+", lines[0].text)
        boxes = [(ln.x0, ln.x1, ln.top, ln.bottom) for ln in lines]
        boxes += [(r.x0, r.x1, r.top, r.bottom) for r in page.rules]
        left = min(b[0] for b in boxes)
        right = page.width - max(b[1] for b in boxes)
        top = min(b[2] for b in boxes)
        bottom = page.height - max(b[3] for b in boxes)
        where = f"{code}, trang {page.number}"
        # Left: the left-most text (or table border); right: the right-most justified
        # line (or border), which runs to the margin.
        assert LEFT[0] - TOLERANCE <= left <= LEFT[1], (where, left)
        assert RIGHT[0] - TOLERANCE <= right <= RIGHT[1], (where, right)
        assert TOP[0] - TOLERANCE <= top <= TOP[1], (where, top)
        # Text never enters the bottom margin; how far above it a page ends depends on
        # what fits (a table row or a signature block is never split), so only the
        # lower bound is a margin.
        assert bottom >= BOTTOM[0] - TOLERANCE, (where, bottom)


@pytest.mark.parametrize("code", CODES)
def test_elements_are_in_the_places_and_order_of_decree_30(forms, code):
    spec, pages = FORMS[code], forms[code]
    first, lines = pages[0].lines, lines_of(pages)

    # Quốc hiệu and Tiêu ngữ, right; the Tiêu ngữ underlined along its whole length.
    nation = one(first, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert nation.bold and 12 <= nation.size <= 13 and nation.x0 > HEAD_SPLIT
    motto = one(first, "Độc lập - Tự do - Hạnh phúc")
    assert motto.bold and 13 <= motto.size <= 14
    assert motto.top > nation.top and abs(motto.center - nation.center) < 1
    underline = rule_below(pages[0], motto, motto.bottom + 1.5)
    assert abs(underline.length - motto.width) < 1.5

    # Place and date in italics under the Tiêu ngữ; Số on the same line, left.
    date = one(first, f"{CONTEXT['place']}, {CONTEXT['date_text']}")
    assert date.italic and 13 <= date.size <= 14
    assert date.top > motto.bottom and abs(date.center - nation.center) < 1.5

    # The issuing body, parent body above it, at the height of the Quốc hiệu, left.
    issuer = [ln for ln in first if ln.x1 < HEAD_SPLIT and ln.top < date.top - 1]
    assert " ".join(ln.text for ln in issuer) == (
        "UBND TỈNH LẠNG SƠN BAN QUẢN LÝ KHU KINH TẾ CỬA KHẨU ĐỒNG ĐĂNG - LẠNG SƠN"
    )
    assert abs(issuer[0].top - nation.top) < 0.5
    assert not issuer[0].bold and all(ln.bold for ln in issuer[1:])
    assert all(abs(ln.center - ISSUER_CENTER) < 1.5 for ln in issuer)
    issuer_rule = rule_below(pages[0], issuer[-1], date.top)
    assert abs(issuer_rule.center - ISSUER_CENTER) < 1
    assert 1 / 3 <= issuer_rule.length / max(ln.width for ln in issuer[1:]) <= 1 / 2

    if "number" in spec.required_fields:
        number = one(first, f"Số: {CONTEXT['number']}")
        assert number.x1 < HEAD_SPLIT and number.top > issuer[-1].bottom
        assert abs(number.baseline - date.baseline) < 1
    else:
        assert not any(ln.text.startswith("Số:") for ln in first)

    # Document type and trích yếu: bold, centred, a rule of 1/3 to 1/2 of the line below.
    doc_type = next_line(lines, date)
    assert doc_type.text.startswith(spec.doc_type.upper()), doc_type.text
    subject = next_line(lines, doc_type)
    expected = CONTEXT["subject"]
    if code == "bao_cao_thanh_tich":
        expected = f"Đề nghị tặng {CONTEXT['award_name']}"
    assert subject.text == expected
    for ln in (doc_type, subject):
        assert ln.bold and 13 <= ln.size <= 14 and abs(ln.center - TEXT_CENTER) < 1
    subject_rule = rule_below(pages[0], subject, next_line(lines, subject).top)
    assert abs(subject_rule.center - TEXT_CENTER) < 1
    assert 1 / 3 <= subject_rule.length / subject.width <= 1 / 2
    order = [nation, motto, date, doc_type, subject]

    # Căn cứ lines in italics, in order, each beginning on a new line (a Biên bản
    # records a meeting: it cites none).
    if "legal_bases" in spec.required_fields:
        for basis in CONTEXT["legal_bases"]:
            start = next(
                ln for ln in lines if ln.at > order[-1].at and ln.text.startswith("Căn cứ")
            )
            taken = [start]
            while len(" ".join(ln.text for ln in taken)) < len(basis):
                taken.append(next_line(lines, taken[-1]))
            assert " ".join(ln.text for ln in taken) == basis
            assert all(ln.italic for ln in taken)
            order.append(taken[-1])

    # A decision's "Theo đề nghị của …" closes its căn cứ, in italics as they are.
    proposal = next_line(lines, order[-1])
    if proposal.text.startswith("Theo đề nghị"):
        taken = [proposal]
        while not taken[-1].text.endswith("."):
            taken.append(next_line(lines, taken[-1]))
        assert all(ln.italic for ln in taken), [ln.text for ln in taken]
        order.append(taken[-1])

    # Content, in upright type, ending with "./.".
    end = next(ln for ln in lines if ln.at > order[-1].at and ln.text.endswith("./."))
    content = [ln for ln in lines if order[-1].at < ln.at <= end.at]
    assert content and not any(ln.italic for ln in content)
    order.append(end)

    # Signature block: authority, position, room for the signature and seal, full name.
    signer = CONTEXT["signer"]
    if code == "bao_cao_thanh_tich":
        # Nghị định 152/2025's appendix: the unit head confirms and proposes on the left,
        # the person who reports signs on the right; each title with how it is signed.
        reporter = one(lines, "NGƯỜI BÁO CÁO THÀNH TÍCH", after=end)
        certifier = next(ln for ln in lines if ln.at > end.at and ln.text.startswith("THỦ"))
        certifier_lines = [certifier, next_line(lines, certifier)]
        assert " ".join(ln.text for ln in certifier_lines) == (
            "THỦ TRƯỞNG ĐƠN VỊ XÁC NHẬN, ĐỀ NGHỊ"
        )
        assert certifier.page == reporter.page and abs(certifier.top - reporter.top) < 0.5
        assert all(ln.bold and ln.x1 < reporter.x0 for ln in certifier_lines)
        sealed = one(lines, "(Ký, đóng dấu)", after=end)
        own = one(lines, "(Ký, ghi rõ họ và tên)", after=end)
        assert sealed.italic and own.italic and own.top > reporter.bottom
        assert abs(sealed.center - certifier.center) < 1 and abs(own.center - reporter.center) < 1
        reporter_name = one(lines, TRICKY_NAME.split(" <")[0] + ' <"Út"> &', after=end)
        certifier_name = one(lines, signer["full_name"], after=end)
        assert abs(reporter_name.top - certifier_name.top) < 0.5  # the names line up
        assert certifier_name.bold and certifier_name.top - sealed.bottom >= 15
        order += [certifier, sealed, certifier_name]
        assert [ln.at for ln in order] == sorted(ln.at for ln in order), [ln.text for ln in order]
        return
    if code in ("bien_ban_hoi_dong", "bien_ban_binh_xet_cum"):
        # Minutes are signed by their secretary (left) and the meeting's chair (right),
        # side by side, each with room for the signature above the name.
        secretary = one(lines, "THƯ KÝ", after=end)
        chair = one(
            lines, "CHỦ TỊCH HỘI ĐỒNG" if code == "bien_ban_hoi_dong" else "CHỦ TRÌ", after=end
        )
        assert secretary.page == chair.page and abs(secretary.top - chair.top) < 0.5
        assert secretary.bold and chair.bold and secretary.x1 < chair.x0
        secretary_name = one(lines, CONTEXT["secretary"]["full_name"], after=end)
        chair_name = one(lines, signer["full_name"], after=end)
        assert abs(secretary_name.top - chair_name.top) < 0.5  # the names line up
        assert chair_name.top - chair.bottom >= 15
        assert abs(secretary_name.center - secretary.center) < 1
        assert abs(chair_name.center - chair.center) < 1
        order += [chair, chair_name]
        assert [ln.at for ln in order] == sorted(ln.at for ln in order), [ln.text for ln in order]
        return
    if code == "giao_uoc_thi_dua":
        # Every member's head signs, two to a row: the unit, its head's position, room for
        # the signature (and the head unit's seal), the name.
        first_signer = CONTEXT["covenant"]["signer_rows"][0]["left"]
        unit = one(lines, first_signer["unit_name"].upper(), after=end)
        name = one(lines, first_signer["full_name"], after=end)
        assert unit.bold and name.bold and unit.page == name.page
        assert name.top - unit.bottom >= 15 and abs(name.center - unit.center) < 1
        order += [unit, name]
        assert [ln.at for ln in order] == sorted(ln.at for ln in order), [ln.text for ln in order]
        return
    if code in ("ke_hoach_thi_dua_cum", "to_trinh_cum_tong_hop"):
        # The plan is signed for the cluster: TRƯỞNG CỤM over the head unit's name; the
        # cluster's Tờ trình under TM. CỤM THI ĐUA.
        if code == "to_trinh_cum_tong_hop":
            marker = one(lines, "TM. CỤM THI ĐUA", after=end)
            title = next_line(lines, marker)
            assert title.text == "TRƯỞNG CỤM" and title.bold
            position = next_line(lines, title)
        else:
            marker = one(lines, "TRƯỞNG CỤM", after=end)
            position = next_line(lines, marker)
        unit = [position]
        while len(" ".join(ln.text for ln in unit)) < len(CONTEXT["signer_unit"]):
            unit.append(next_line(lines, unit[-1]))
        assert " ".join(ln.text for ln in unit) == CONTEXT["signer_unit"]
        assert all(ln.bold and abs(ln.center - marker.center) < 1 for ln in unit)
        position = unit[-1]
    else:
        marker = one(lines, signer["marker"], after=end)
        position = next_line(lines, marker)
        assert position.text == signer["position"].upper()
        assert 13 <= position.size <= 14
    name = one(lines, signer["full_name"], after=end)
    assert all(ln.bold and 13 <= ln.size <= 14 for ln in (marker, name)) and position.bold
    assert abs(marker.center - position.center) < 1 and abs(name.center - position.center) < 1
    assert name.page == position.page and name.top - position.bottom >= 15
    order += [marker, position, name]
    assert [ln.at for ln in order] == sorted(ln.at for ln in order), [ln.text for ln in order]

    # Nơi nhận, left, level with the authority line; recipients in smaller type.
    if "recipients" in spec.field_names:
        heading = one(lines, "Nơi nhận:", after=end)
        assert heading.bold and heading.italic and heading.size == 12 and heading.x0 < 35
        assert heading.page == marker.page and abs(heading.top - marker.top) < 1
        assert heading.x1 < marker.x0 and marker.center > TEXT_CENTER
        items = [next_line(lines, heading)]
        for _ in CONTEXT["recipients"][1:]:
            items.append(next_line(lines, items[-1]))
        assert [ln.text for ln in items] == [f"- {r}" for r in CONTEXT["recipients"]]
        assert all(ln.size == 11 and not ln.bold for ln in items)


@pytest.mark.parametrize("code", CODES)
def test_user_text_reaches_the_pdf_literally(forms, code):
    text = flat_text(forms[code])
    for expected in USER_TEXT[code]:
        assert expected in text
    assert "{%" not in text and "{{ reason" not in text and "{{ item" not in text


@pytest.mark.parametrize("code", ["to_trinh_don_vi", "to_trinh_cum", "to_trinh_ban"])
def test_the_forty_row_list_runs_over_pages_with_its_header_repeated(forms, code):
    pages = forms[code]
    assert len(pages) >= 3
    lines = lines_of(pages)
    title = next(ln for ln in lines if ln.text.startswith("DANH SÁCH TẬP THỂ, CÁ NHÂN"))
    assert title.page == 2 and title.bold  # the list starts on a page of its own
    attached = next_line(lines, next_line(lines, title))
    assert attached.italic and attached.text == (
        f"(Kèm theo Tờ trình số {CONTEXT['number']} {CONTEXT['date_text']})"
    )
    section = one(lines, "II. CÁ NHÂN (40 cá nhân)")
    numbers = [
        int(ln.text) for ln in lines if ln.at > section.at and ln.x1 < 42 and ln.text.isdigit()
    ]
    assert numbers == list(range(1, 41))
    for page in pages[2:]:
        header = [ln.text for ln in page.lines[1:6]]  # after the page number
        assert header == ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Thành tích tóm tắt"]
        assert all(ln.bold for ln in page.lines[1:6])


# -- failures, with a stand-in for soffice (fast and deterministic) ---------------------


def fake_soffice(tmp_path: Path, body: str) -> str:
    """A shell script called like soffice; ``$profile`` and ``$outdir`` are parsed for it."""
    script = tmp_path / "fake-soffice"
    script.write_text(
        "#!/bin/sh\n"
        'prev=""\n'
        'for a in "$@"; do\n'
        '  case "$a" in -env:UserInstallation=file://*) profile="${a#*file://}";; esac\n'
        '  if [ "$prev" = "--outdir" ]; then outdir="$a"; fi\n'
        '  prev="$a"\n'
        "done\n" + body
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def process_gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status  # a zombie waiting for init is dead too


async def test_timeout_kills_the_whole_process_group(tmp_path):
    pid_file = tmp_path / "child.pid"
    soffice = fake_soffice(tmp_path, f'sleep 30 &\necho $! > "{pid_file}"\nwait\n')
    converter = PdfConverter(
        tmp_path / "profiles", workers=1, timeout=0.5, soffice=soffice, warm=False
    )
    started = time.monotonic()
    with pytest.raises(ConversionError, match="did not finish"):
        await converter.convert(b"PK fake docx")
    assert time.monotonic() - started < 5
    child = int(pid_file.read_text())
    for _ in range(50):
        if process_gone(child):
            break
        await asyncio.sleep(0.02)
    assert process_gone(child)


async def test_non_zero_exit_is_a_conversion_error(tmp_path):
    soffice = fake_soffice(tmp_path, 'echo "Error: source file could not be loaded" >&2\nexit 3\n')
    converter = PdfConverter(tmp_path / "profiles", soffice=soffice, warm=False)
    with pytest.raises(ConversionError, match=r"exited with 3.*could not be loaded"):
        await converter.convert(b"PK fake docx")


async def test_missing_output_is_a_conversion_error(tmp_path):
    converter = PdfConverter(
        tmp_path / "profiles", soffice=fake_soffice(tmp_path, "exit 0\n"), warm=False
    )
    with pytest.raises(ConversionError, match="no PDF"):
        await converter.convert(b"PK fake docx")


async def test_missing_soffice_is_a_conversion_error(tmp_path):
    converter = PdfConverter(
        tmp_path / "profiles", soffice=str(tmp_path / "no-such-soffice"), warm=False
    )
    with pytest.raises(ConversionError, match="cannot start"):
        await converter.convert(b"PK fake docx")


async def test_concurrent_calls_never_share_a_profile_and_reuse_the_pool(tmp_path):
    # The stand-in refuses to run if its profile is already in use, like LibreOffice
    # would misbehave; each run leaves a mark so that profile reuse is visible.
    soffice = fake_soffice(
        tmp_path,
        'mkdir "$profile/busy" || exit 9\n'
        'echo run >> "$profile/runs"\n'
        "sleep 0.2\n"
        'rmdir "$profile/busy"\n'
        'printf "%%PDF-1.4 fake" > "$outdir/document.pdf"\n',
    )
    converter = PdfConverter(tmp_path / "profiles", workers=2, soffice=soffice, warm=False)
    started = time.monotonic()
    pdfs = await asyncio.gather(*(converter.convert(b"PK fake docx") for _ in range(6)))
    elapsed = time.monotonic() - started
    assert pdfs == [b"%PDF-1.4 fake"] * 6
    assert elapsed >= 0.55  # at most two at a time: three rounds of 0.2 s
    runs = [p.read_text().count("run") for p in (tmp_path / "profiles").glob("*/runs")]
    assert len(runs) == 2  # both profiles of the pool are used, and reused
    assert sum(runs) == 6
    assert not list((tmp_path / "profiles").glob("job-*"))  # work folders cleaned up
