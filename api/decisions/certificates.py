"""The Bằng khen of every awardee of an issued decision, one page each, for printing; the
alignment page for the blanks. Each download is recorded on the decision's chain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.service import record_read
from api.decisions import service
from api.deps import Caller
from documents.certificate import Certificate, Offsets, alignment_page, certificates_pdf
from documents.vn import upper_vi
from domain.decisions import DecisionStatus
from domain.errors import Conflict
from domain.process import Action
from issuing.jobs import leader_titles
from issuing.runtime import Runtime
from storage import decisions as store
from storage import rounds as rounds_store
from storage.models import AwardDecision, DossierTransition
from storage.repositories import documents as documents_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

TITLE = "BẰNG KHEN"


def _signer(s: Session, d: AwardDecision) -> tuple[str, str, str]:
    """Marker, position and name of who signed: the leader who approved it here, or the
    signer of the uploaded PDF."""
    t = s.scalar(
        select(DossierTransition)
        .where(
            DossierTransition.subject_kind == "decision",
            DossierTransition.subject_id == d.id,
            DossierTransition.action == str(Action.APPROVE),
        )
        .order_by(DossierTransition.seq.desc())
        .limit(1)
    )
    if t is not None and d.source == "tdkt":
        user = users_repo.user_by_id(s, t.actor_id)
        if user is not None:
            marker, position = leader_titles(user.position)
            return marker, position, user.full_name
    doc = documents_repo.document(s, d.document_id) if d.document_id else None
    signers = [
        str(x.get("signer", ""))
        for v in (doc.versions if doc else [])
        for x in (v.signatures or [])
    ]
    return "", "CHỦ TỊCH", signers[0] if signers else ""


def gather(s: Session, d: AwardDecision, place: str) -> list[Certificate]:
    if d.status != DecisionStatus.ISSUED or d.number is None or d.decided_on is None:
        raise Conflict(
            "Quyết định chưa ban hành: chưa in được bằng khen.", code="decision_not_issued"
        )
    r = rounds_store.award_round(s, d.round_id)
    assert r is not None
    ubnd = org_repo.authority(s, d.decider_authority_id)
    marker, position, name = _signer(s, d)
    listed = store.round_nominees(s, d.round_id)
    nominees = {n.nominee_id: n for n in listed}
    # A revoked award prints no certificate; a corrected one prints the corrected texts.
    views = service.record_views(s, d, listed)
    on = d.decided_on
    out = []
    for rec in store.records_of(s, d.id):
        n = nominees.get(rec.nominee_id)
        view = views[rec.id]
        if not rec.awarded or n is None or view.revoked:
            continue
        texts = view.values
        detail = (
            ", ".join(p for p in (texts["position"], texts["unit_name"]) if p)
            if n.kind != "collective"
            else texts["unit_name"]
        )
        out.append(
            Certificate(
                decider=f"Chủ tịch {ubnd.name}",
                award_title=TITLE,
                name=texts["name"],
                detail=detail,
                reason=f"Đã có thành tích xuất sắc trong {r.name}"
                + ("" if str(r.year) in r.name else f" năm {r.year}"),
                decision_number=d.number,
                decision_date=f"{on:%d/%m/%Y}",
                place_date=f"{place}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}",
                signer_marker=upper_vi(marker),
                signer_position=upper_vi(position),
                signer_name=name,
                seal_name=ubnd.name,
                book_no=f"Số vào sổ: {rec.certificate_no}/{rec.certificate_year}",
            )
        )
    return out


def for_decision(
    rt: Runtime, caller: Caller, decision_id: int, *, test_page: bool = False
) -> tuple[bytes, str]:
    settings = rt.settings
    offsets = Offsets(settings.certificate_offset_x_mm, settings.certificate_offset_y_mm)
    with rt.db.read() as s:
        d = service.visible_decision(s, caller.actor, decision_id)
        if test_page:
            return alignment_page(offsets), "trang-in-thu-bang-khen.pdf"
        items = gather(s, d, settings.place_name)
        number = d.number or ""
    pdf = certificates_pdf(items, offsets, blank=settings.certificate_blank)
    record_read(
        rt.db,
        user_id=caller.user.id,
        subject=service.subject_of(d),
        kind="certificates_downloaded",
        data={"certificates": len(items), "decision_number": number},
    )
    return pdf, f"bang-khen-{decision_id}.pdf"
