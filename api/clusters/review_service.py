"""The cluster's reviews (domain/cluster_reviews.py): the conference record, and its
report — drafted as a DOCX from `report_facts`, edited by the host in Word and uploaded
back (checked like an uploaded template version: a real .docx, no macros, the number,
date and signature places still there), converted to PDF, signed personally with the
PIN by the person whose name it prints (issuing/issue.py sign_personally), numbered in
the cluster's series, sealed with the host unit's seal, and sent to the board.

The record's functions run in the request's transaction and never commit; the report's
upload and signature do their slow work (LibreOffice, signing) between short
transactions of their own, as api/meetings/actions.py does.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import zipfile
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from api.clusters import review_facts
from api.clusters.review_schemas import (
    AttendeeOut,
    ReportOut,
    ReportSignatureOut,
    ReviewIn,
    ReviewOut,
    ReviewUpdate,
)
from api.clusters.service import YearContext, load_year
from api.deps import Caller
from api.dossiers import signing
from doc_templates.catalogue import FORMS
from doc_templates.versions import resolve_template
from documents import fields
from documents.appearance import seal_image
from documents.docx_package import package_problems
from documents.pdf import ConversionError
from documents.render import render_docx
from documents.vn import date_text, document_number, upper_vi
from domain import cluster_reviews as rules
from domain.cluster_plan import cluster_short_name
from domain.cluster_reviews import PERIOD_LABELS, STATUS_LABELS, Period, ReviewStatus
from domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    SigningPinRequired,
    StaleVersion,
    UnsupportedMediaType,
)
from domain.roles import Actor
from domain.subjects import Subject
from issuing import issue
from issuing.issue import DOCX, PDF, date_values, latest, organisation_material, record_in
from issuing.jobs import VIETNAM
from issuing.runtime import Runtime
from storage import audit
from storage import cluster_reviews as store
from storage.models import (
    ClusterReview,
    ClusterReviewAttendee,
    Document,
    DocumentVersion,
    Unit,
    User,
    utcnow,
)
from storage.repositories import documents as documents_repo
from storage.repositories import keys as keys_repo
from storage.repositories import notifications as notifications_repo
from storage.repositories import users as users_repo

FORM = "bao_cao_so_ket_cum"
NOTICE_SEQ_BASE = 10_000
"""A report's notices are told apart from the year's other notices (their `seq`)."""
NOT_FOUND = "Không tìm thấy hội nghị này."
OUTLOOK = (
    "(Đơn vị đăng cai bổ sung phương hướng, nhiệm vụ trọng tâm của Cụm trong thời gian tới "
    "và các kiến nghị, đề xuất với Phòng Thi đua – Khen thưởng.)"
)


# ---------------------------------------------------------------- the record


def _review(
    s: Session, ctx: YearContext, review_id: int, *, for_update: bool = False
) -> ClusterReview:
    found = store.review(s, review_id, ctx.row.id if ctx.row else None, for_update=for_update)
    if found is None:
        raise NotFound(NOT_FOUND, code="cluster_review_not_found")
    return found


def _who(s: Session, user: User, ctx: YearContext, r: ClusterReview | None = None) -> audit.Who:
    unit_id = r.host_unit_id if r is not None else ctx.head_unit_id
    unit = s.get(Unit, unit_id) if unit_id else None
    return audit.Who(
        user.id,
        user.full_name,
        "cluster_approver",
        unit.name if unit else "",
        ctx.cluster.name,
    )


def _attendees(ctx: YearContext, body: ReviewIn) -> list[rules.Attendee]:
    given = [
        rules.Attendee(a.unit_id, a.name.strip(), a.position.strip(), a.present)
        for a in body.attendees
    ]
    listed = {a.unit_id for a in given}
    absent = [rules.Attendee(u.id, "", "", False) for u in ctx.members if u.id not in listed]
    return given + absent


def _apply(ctx: YearContext, r: ClusterReview, body: ReviewIn) -> list[rules.Attendee]:
    host = body.host_unit_id or ctx.head_unit_id
    attendees = _attendees(ctx, body)
    rules.check_record(
        year=ctx.year,
        held_on=body.held_on,
        host_unit_id=host or 0,
        leader_unit_ids={u for u in (ctx.head_unit_id, ctx.deputy_unit_id) if u},
        member_unit_ids={u.id for u in ctx.members},
        attendees=attendees,
    )
    assert host is not None
    r.held_on = body.held_on
    r.host_unit_id = host
    r.place = body.place.strip()
    r.agenda = body.agenda.strip()
    r.board_rep_name = body.board_rep_name.strip()
    r.board_rep_position = body.board_rep_position.strip()
    # In place, by unit: replacing the rows would insert the new ones before deleting
    # the old (one row per review and unit).
    by_unit = {a.unit_id: a for a in r.attendees}
    for a in attendees:
        row = by_unit.pop(a.unit_id, None)
        if row is None:
            r.attendees.append(ClusterReviewAttendee(unit_id=a.unit_id))
            row = r.attendees[-1]
        row.name, row.position, row.present = a.name, a.position, a.present
    for gone in by_unit.values():
        r.attendees.remove(gone)
    return attendees


def _record_data(r: ClusterReview) -> dict[str, Any]:
    return {
        "review_id": r.id,
        "period": r.period,
        "held_on": r.held_on.isoformat(),
        "host_unit_id": r.host_unit_id,
        "present": sorted(a.unit_id for a in r.attendees if a.present),
        "absent": sorted(a.unit_id for a in r.attendees if not a.present),
    }


def create(s: Session, user: User, ctx: YearContext, body: ReviewIn) -> ClusterReview:
    ctx.require_runs()
    period = rules.parse_period(body.period)
    row = ctx.ensure(s)
    if store.review_of_period(s, row.id, period) is not None:
        raise Conflict(
            f"Hội nghị {PERIOD_LABELS[period]} năm {ctx.year} đã được ghi; hãy sửa bản đã ghi.",
            code="cluster_review_exists",
        )
    r = ClusterReview(cluster_year_id=row.id, period=period, created_by=user.id)
    _apply(ctx, r, body)
    s.add(r)
    s.flush()
    audit.append(
        s,
        kind="cluster_review_recorded",
        subject=row.subject,
        who=_who(s, user, ctx, r),
        data=_record_data(r),
    )
    return r


def update(
    s: Session, user: User, ctx: YearContext, review_id: int, body: ReviewUpdate
) -> ClusterReview:
    ctx.require_runs()
    r = _review(s, ctx, review_id, for_update=True)
    if body.version is not None and body.version != r.version:
        raise StaleVersion("Hội nghị đã được người khác sửa. Hãy tải lại rồi thử lại.")
    rules.check_editable(r.status)
    if rules.parse_period(body.period) != r.period:
        raise InvalidInput("Không đổi được kỳ của hội nghị đã ghi.", code="period_fixed")
    _apply(ctx, r, body)
    r.updated_at = utcnow()
    s.flush()
    assert ctx.row is not None
    audit.append(
        s,
        kind="cluster_review_updated",
        subject=ctx.row.subject,
        who=_who(s, user, ctx, r),
        data=_record_data(r),
    )
    return r


def reviews(s: Session, ctx: YearContext) -> list[ClusterReview]:
    return store.reviews_of(s, ctx.row.id) if ctx.row else []


def review_of(s: Session, ctx: YearContext, review_id: int) -> ClusterReview:
    return _review(s, ctx, review_id)


def report_links(ctx: YearContext, r: ClusterReview) -> str:
    return f"/api/v1/clusters/{ctx.cluster.id}/years/{ctx.year}/reviews/{r.id}/report"


def review_out(s: Session, ctx: YearContext, r: ClusterReview) -> ReviewOut:
    names = {u.id: u.name for u in ctx.members}
    signer = s.get(User, r.signer_id) if r.signer_id else None
    signed = r.status == ReviewStatus.SIGNED
    return ReviewOut(
        id=r.id,
        cluster_id=ctx.cluster.id,
        year=ctx.year,
        period=r.period,
        period_label=PERIOD_LABELS[Period(r.period)],
        held_on=r.held_on,
        host_unit_id=r.host_unit_id,
        host_unit_name=r.host_unit.name,
        place=r.place,
        agenda=r.agenda,
        board_rep_name=r.board_rep_name,
        board_rep_position=r.board_rep_position,
        attendees=[
            AttendeeOut(
                unit_id=a.unit_id,
                unit_name=names.get(a.unit_id) or s.get(Unit, a.unit_id).name,  # type: ignore[union-attr]
                name=a.name,
                position=a.position,
                present=a.present,
            )
            for a in r.attendees
        ],
        version=r.version,
        report=ReportOut(
            status=r.status,
            status_label=STATUS_LABELS[ReviewStatus(r.status)],
            document_id=r.document_id,
            number=r.number,
            signer_id=r.signer_id,
            signer_name=signer.full_name if signer else None,
            uploaded=r.status != ReviewStatus.DRAFT,
            signed_pdf=f"{report_links(ctx, r)}/signed.pdf" if signed else None,
            sent_at=r.sent_at,
        ),
        can_edit=ctx.access.runs and not signed,
    )


# ---------------------------------------------------------------- the draft


def _subject_line(ctx: YearContext, period: Period) -> str:
    span = "6 tháng đầu năm" if period == Period.MIDYEAR else "năm"
    cluster = review_facts.cluster_title(ctx.cluster.name)
    return (
        f"Kết quả thực hiện phong trào thi đua, công tác khen thưởng {span} {ctx.year} "
        f"của {cluster}"
    )


def _signer_block(ctx: YearContext, r: ClusterReview, signer: User) -> dict[str, str]:
    post = "Trưởng cụm" if r.host_unit_id == ctx.head_unit_id else "Phó trưởng cụm"
    return {
        "marker": f"TM. {upper_vi(review_facts.cluster_title(ctx.cluster.name))}",
        "position": upper_vi(post),
        "full_name": signer.full_name,
    }


def report_context(
    s: Session, ctx: YearContext, r: ClusterReview, signer: User, place: str
) -> dict[str, Any]:
    """What the DOCX is filled with (doc_templates/catalogue.py «review», «facts»)."""
    period = Period(r.period)
    names = {u.id: u.name for u in ctx.members}
    attendees = []
    for i, a in enumerate(r.attendees, 1):
        person = ", ".join(x for x in (a.name, a.position) if x)
        attendees.append(
            {
                "index": i,
                "unit_name": names.get(a.unit_id, ""),
                "person": person if a.present else "",
                "present_label": "Có mặt" if a.present else "Vắng mặt",
            }
        )
    board_rep = ", ".join(x for x in (r.board_rep_name, r.board_rep_position) if x)
    return {
        "issuer": {
            "parent_name": upper_vi(r.host_unit.name),
            "name": upper_vi(review_facts.cluster_title(ctx.cluster.name)),
            "code": ctx.cluster.code,
        },
        "number": fields.number_placeholder(
            document_number(1, FORMS[FORM].doc_type_code, _code(ctx))
        ),
        "place": place,
        "date_text": fields.date_placeholder(),
        "subject": _subject_line(ctx, period),
        "signer": _signer_block(ctx, r, signer),
        "recipients": [
            "Phòng Thi đua – Khen thưởng, Sở Nội vụ;",
            "Các đơn vị thành viên Cụm;",
            "Lưu: VT.",
        ],
        "review": {
            "year": ctx.year,
            "period_label": PERIOD_LABELS[period],
            "period_title": upper_vi(PERIOD_LABELS[period]),
            "held_on_text": date_text(r.held_on),
            "place": r.place or r.host_unit.name,
            "host_name": r.host_unit.name,
            "board_rep": board_rep,
            "attendees": attendees,
            "agenda_lines": [line for line in r.agenda.splitlines() if line.strip()]
            or [rules.NO_DATA],
            "outlook": OUTLOOK,
        },
        # The one place the year's results come from (the hook for registrations, scores).
        "facts": review_facts.report_facts(s, ctx, period),
    }


def draft_docx(
    s: Session, rt: Runtime, user: User, ctx: YearContext, review_id: int
) -> tuple[bytes, str]:
    """The report drafted from the year's data, for the host to edit; its file name."""
    ctx.require_runs()
    r = _review(s, ctx, review_id)
    rules.check_editable(r.status)
    template = resolve_template(s, rt.store, FORM, None)
    data = render_docx(template.data, report_context(s, ctx, r, user, rt.settings.place_name))
    return data, f"Dự thảo Báo cáo {PERIOD_LABELS[Period(r.period)]} năm {ctx.year}.docx"


# ---------------------------------------------------------------- the upload


_DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def check_upload(data: bytes, signer_name: str, limit: int) -> None:
    """Refuse what cannot become the report, with a stable code: too large (413), not a
    Word document or a macro-enabled one (415), unsafe content (422), or the places the
    system fills — number, date, the signer's printed name — gone (422)."""
    if len(data) > limit:
        raise PayloadTooLarge(f"Tệp vượt quá {limit / (1024 * 1024):g} MB.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            types = z.read("[Content_Types].xml").decode("utf-8", "replace")
            z.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise UnsupportedMediaType(
            "Tệp không phải là tài liệu Word .docx.", code="report_not_docx"
        ) from e
    if _DOCM_MAIN in types:
        raise UnsupportedMediaType(
            "Tệp là tài liệu có macro (.docm); chỉ nhận tài liệu Word .docx không có macro.",
            code="report_macro_enabled",
        )
    problems = package_problems(data)
    if problems:
        raise InvalidInput(" ".join(problems), code="report_docx_unsafe")
    expected = fields.expected_in(data, [signer_name])
    missing = []
    if expected.placeholders < 2:
        missing.append("chỗ điền số, ký hiệu và ngày tháng năm của báo cáo")
    if expected.names.get(signer_name, 0) < 1:
        missing.append(f"họ tên người ký «{signer_name}» ở khối chữ ký")
    if missing:
        raise InvalidInput(
            "Báo cáo tải lên thiếu phần hệ thống điền khi ký: "
            + "; ".join(missing)
            + ". Hãy tải dự thảo mới và giữ nguyên các phần này.",
            code="report_fields_missing",
        )


def _record(s: Session, doc_id: int, *args: Any, **kwargs: Any) -> None:
    """`record_in`, then the document's versions read again (the next takes the next seq)."""
    record_in(s, doc_id, *args, **kwargs)
    doc = documents_repo.document(s, doc_id)
    if doc is not None:
        s.expire(doc, ["versions"])


def _key(ctx_row_id: int, r: ClusterReview, n: int, rendition: str) -> str:
    ext = "docx" if rendition == "docx" else "pdf"
    return f"cluster_years/{ctx_row_id}/review-{r.id}-{FORM}-v{n}-{rendition}.{ext}"


def _title(ctx: YearContext, r: ClusterReview) -> str:
    cluster = review_facts.cluster_title(ctx.cluster.name)
    return f"Báo cáo {PERIOD_LABELS[Period(r.period)]} năm {ctx.year} – {cluster}"


def _document(s: Session, ctx: YearContext, r: ClusterReview) -> Document:
    assert ctx.row is not None
    doc = documents_repo.document_of(s, ctx.row.subject, r.id, FORM, 0)
    if doc is None:
        spec = FORMS[FORM]
        doc = Document(
            subject_kind=ctx.row.subject.kind.value,
            subject_id=ctx.row.id,
            transition_seq=r.id,
            form=FORM,
            copy_no=0,
            title=_title(ctx, r),
            issuer_name=review_facts.cluster_title(ctx.cluster.name),
            template_id=spec.code,
            template_version=str(spec.version),
        )
        s.add(doc)
        s.flush()
    return doc


def upload(
    rt: Runtime, caller: Caller, cluster_id: int, year: int, review_id: int, data: bytes
) -> ReviewOut:
    """Runs in a worker thread: check, convert (LibreOffice), lay the fields, record."""
    with rt.db.read() as s:
        ctx = load_year(s, caller.actor, cluster_id, year)
        ctx.require_runs()
        r = _review(s, ctx, review_id)
        rules.check_editable(r.status)
    check_upload(data, caller.user.full_name, rt.settings.max_upload_bytes)
    try:
        pdf = asyncio.run(rt.converter.convert(data))
    except ConversionError as e:
        raise InvalidInput(
            "Không chuyển được tệp Word thành PDF; hãy mở lại bằng Word, lưu thành .docx.",
            code="report_conversion_failed",
        ) from e
    layout = fields.locate(pdf, caller.user.full_name, docx=data)
    if fields.NUMBER_FIELD not in layout.text_fields or fields.DAY_FIELD not in layout.text_fields:
        raise InvalidInput(
            "Không tìm thấy chỗ điền số và ngày của báo cáo sau khi chuyển sang PDF; hãy giữ "
            "nguyên dòng «Số:» và dòng địa danh, ngày tháng năm của dự thảo.",
            code="report_fields_missing",
        )
    prepared = fields.add_fields(pdf, layout, personal=True, sealed=True)
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        ctx = load_year(s, caller.actor, cluster_id, year)
        ctx.require_runs()
        r = _review(s, ctx, review_id, for_update=True)
        rules.check_editable(r.status)
        assert ctx.row is not None
        doc = _document(s, ctx, r)
        n = len(doc.versions) + 1
        docx_obj, _ = issue.store(rt, _key(ctx.row.id, r, n, "docx"), data, DOCX)
        _record(s, doc.id, "docx", docx_obj, DOCX, prepared_for_id=user.id)
        pdf_obj, _ = issue.store(rt, _key(ctx.row.id, r, n + 1, "pdf-prepared"), prepared, PDF)
        _record(s, doc.id, "pdf-prepared", pdf_obj, PDF, prepared_for_id=user.id)
        r.status = ReviewStatus.UPLOADED
        r.signer_id = user.id
        r.document_id = doc.id
        r.updated_at = utcnow()
        s.flush()
        audit.append(
            s,
            kind="cluster_report_uploaded",
            subject=ctx.row.subject,
            who=_who(s, user, ctx, r),
            data={
                "review_id": r.id,
                "document_id": doc.id,
                "docx": {"object_key": docx_obj.key, "sha256": docx_obj.sha256},
                "pdf": {"object_key": pdf_obj.key, "sha256": pdf_obj.sha256},
            },
        )
        return review_out(s, ctx, r)


# ---------------------------------------------------------------- sign, seal, send


def _prepared(s: Session, r: ClusterReview) -> DocumentVersion:
    doc = documents_repo.document(s, r.document_id) if r.document_id else None
    base = latest(list(doc.versions), "pdf-prepared") if doc else None
    if base is None:
        raise Conflict("Hãy tải lên báo cáo đã chỉnh sửa trước khi ký.", code="report_not_uploaded")
    return base


def _signable(
    s: Session, caller: Caller, ctx: YearContext, review_id: int
) -> tuple[ClusterReview, DocumentVersion]:
    ctx.require_runs()
    r = _review(s, ctx, review_id)
    rules.check_signable(r.status)
    if r.signer_id != caller.user.id:
        raise Forbidden(
            "Báo cáo in họ tên người đã tải lên; chỉ người đó ký được. Hãy tải lên lại báo cáo "
            "với họ tên của mình.",
            code="not_report_signer",
        )
    return r, _prepared(s, r)


def _code(ctx: YearContext) -> str:
    """The ký hiệu of the cluster's own series, as its plan prints it («CỤM I»)."""
    return cluster_short_name(ctx.cluster.name, ctx.cluster.code)


def _number(rt: Runtime, ctx: YearContext, review_id: int) -> str:
    """The report's number, taken once from the cluster's series."""
    with rt.db.write() as s:
        r = _review(s, ctx, review_id, for_update=True)
        if r.number is None:
            spec = FORMS[FORM]
            series = spec.number_series(f"cluster:{ctx.cluster.code}")
            n = documents_repo.next_number(s, series, spec.doc_type_code, ctx.year)
            r.number = document_number(n, spec.doc_type_code, _code(ctx))
            s.flush()
        return r.number


def sign_and_send(
    rt: Runtime, caller: Caller, cluster_id: int, year: int, review_id: int, pin: str
) -> ReviewOut:
    """Runs in a worker thread: the signer's personal signature with their PIN, then the
    number and the date, the host unit's seal, and the report is sent to the board."""
    if not pin:
        raise SigningPinRequired()
    with rt.db.read() as s:
        ctx = load_year(s, caller.actor, cluster_id, year)
        r, base = _signable(s, caller, ctx, review_id)
        title = _title(ctx, r)
        host_unit_id = r.host_unit_id
        host_name = r.host_unit.name
    material = signing.unlock(rt.db, caller.user.id, pin, rt.settings.secret_key)
    personal, personal_reports = asyncio.run(
        issue.sign_personally(rt, title, base, caller.user, material, reason=f"Ký: {title}")
    )
    number = _number(rt, ctx, review_id)
    now = datetime.now(VIETNAM).replace(microsecond=0)
    values = date_values(now)
    values[fields.NUMBER_FIELD] = number
    pdf = rt.store.get(personal.key, personal.version_id)
    pdf = fields.fill_fields(pdf, values)
    with rt.db.read() as s:
        seal, owner = organisation_material(
            s, rt.settings.secret_key, host_name, unit_id=host_unit_id
        )
    sealed = asyncio.run(
        rt.signing.sign(
            pdf,
            seal,
            field_name=fields.SEAL_FIELD,
            reason=f"Phát hành {FORMS[FORM].title}",
            location=rt.settings.place_name,
            stamp_lines=[],
            signing_time=now,
            certify=False,
            background=seal_image(owner),
            **rt.long_term(),
        )
    )
    key = personal.key.rsplit("-pdf-personal", 1)[0] + "-pdf-signed.pdf"
    signed_obj, stored = issue.store(rt, key, sealed, PDF)
    reports = [x.to_dict() for x in asyncio.run(rt.signing.verify(stored, list(seal.chain_pems)))]
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        ctx = load_year(s, caller.actor, cluster_id, year)
        r, base_now = _signable(s, caller, ctx, review_id)
        if base_now.id != base.id:
            raise StaleVersion(
                "Báo cáo vừa được tải lên lại. Hãy tải lại trang rồi ký lại.",
                code="report_replaced",
            )
        assert r.document_id is not None and ctx.row is not None
        doc = documents_repo.document(s, r.document_id)
        assert doc is not None
        doc.number = number
        _record(s, doc.id, "pdf-personal", personal, PDF, signatures=personal_reports)
        _record(s, doc.id, "pdf-signed", signed_obj, PDF, signatures=reports)
        r.status = ReviewStatus.SIGNED
        r.sent_at = utcnow()
        r.updated_at = utcnow()
        s.flush()
        subject = ctx.row.subject
        who = _who(s, user, ctx, r)
        audit.append(
            s,
            kind="cluster_report_signed",
            subject=subject,
            who=who,
            data={
                "review_id": r.id,
                "document_id": doc.id,
                "number": number,
                "object_key": signed_obj.key,
                "sha256": signed_obj.sha256,
            },
        )
        _send(s, ctx, r, subject, who, number)
        return review_out(s, ctx, r)


def _send(
    s: Session, ctx: YearContext, r: ClusterReview, subject: Subject, who: audit.Who, number: str
) -> None:
    """To the board: a notification to its specialists and its head."""
    label = PERIOD_LABELS[Period(r.period)]
    cluster = review_facts.cluster_title(ctx.cluster.name)
    message = f"{cluster} gửi Báo cáo {label} năm {ctx.year} (số {number}), đã ký số và đóng dấu."
    people = store.board_people(s, ctx.cluster.authority_id)
    for p in people:
        notifications_repo.notify_once(s, p.id, subject, NOTICE_SEQ_BASE + r.id, message)
    audit.append(
        s,
        kind="cluster_report_sent",
        subject=subject,
        who=who,
        data={"review_id": r.id, "number": number, "notified": [p.id for p in people]},
    )


# ---------------------------------------------------------------- the signed report


def signed_version(
    s: Session, ctx: YearContext, review_id: int
) -> tuple[ClusterReview, DocumentVersion]:
    r = _review(s, ctx, review_id)
    doc = documents_repo.document(s, r.document_id) if r.document_id else None
    v = latest(list(doc.versions), "pdf-signed") if doc else None
    if r.status != ReviewStatus.SIGNED or v is None:
        raise NotFound("Báo cáo chưa được ký.", code="report_not_signed")
    return r, v


def verify(
    rt: Runtime, actor: Actor, cluster_id: int, year: int, review_id: int
) -> ReportSignatureOut:
    """Every signature of the signed report, against the trust roots and the CRLs, and
    whether the file still has the SHA-256 recorded when it was stored."""
    with rt.db.read() as s:
        ctx = load_year(s, actor, cluster_id, year)
        _r, v = signed_version(s, ctx, review_id)
        data = rt.store.get(v.object_key, v.object_version_id)
        roots = [x.cert_pem for x in keys_repo.trust_roots(s)]
        doc_id = v.document_id
    reports = asyncio.run(rt.signing.verify(data, roots, rt.crls()))
    digest = hashlib.sha256(data).hexdigest()
    return ReportSignatureOut(
        document_id=doc_id,
        sha256=digest,
        stored_sha256_matches=digest == v.sha256,
        signatures=[x.to_dict() for x in reports],
        ok=digest == v.sha256 and bool(reports) and all(x.intact and x.trusted for x in reports),
    )
