"""The cluster's proposal's storage on each database the product runs on (migration
0028): a proposal per cluster year with its dossiers, the dossiers that passed the vote
of the year's member units, the vote's signed Biên bản found among the meeting's
documents, the proposals waiting at a board."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.cluster_proposal import ProposalStatus
from storage import cluster_proposals as store
from storage import clusters as clusters_store
from storage.db import Database
from storage.models import (
    Cluster,
    ClusterProposal,
    ClusterProposalDossier,
    Document,
    DocumentVersion,
    Dossier,
    Meeting,
    User,
)
from tdkt.seed import seed_demo


def test_a_proposal_of_the_voted_dossiers_and_its_minutes(db: Database) -> None:
    with db.write() as s:
        seed_demo(s, password="mật-khẩu", key_passphrase="k" * 40, pin="864213")
        cluster = s.scalars(select(Cluster).where(Cluster.code == "CUM1-QLCN")).one()
        clerk = s.scalars(select(User).where(User.username == "bdt.canbo")).one()
        members = clusters_store.members_on(s, cluster.id, date(2026, 12, 31))
        unit = next(u for u in members if u.code == "BDT")
        made = [
            Dossier(
                process="commendation_proposal",
                award=award,
                year=2026,
                title=f"Hồ sơ {i}",
                unit_id=unit.id,
                cluster_id=cluster.id,
                authority_id=cluster.authority_id,
                status=status,
                furthest_stage="cluster",
                created_by=clerk.id,
            )
            for i, (award, status) in enumerate(
                [
                    ("co_thi_dua_ubnd_tinh", "cluster_voted"),
                    ("bang_khen_ubnd_tinh", "cluster_voted"),
                    ("bang_khen_ubnd_tinh", "returned"),
                    ("bang_khen_ubnd_tinh", "cluster_vote"),
                ]
            )
        ]
        s.add_all(made)
        cy = clusters_store.ensure_year(s, cluster.id, 2026)
        m = Meeting(
            authority_id=cluster.authority_id,
            about_kind="cluster_year",
            about_id=cy.id,
            title="Bình xét",
            held_on=date(2026, 12, 20),
            process="cluster_vote",
            status="closed",
            rules=[],
            created_by=clerk.id,
        )
        s.add(m)
        s.flush()
        voted = store.voted_dossiers(s, cluster.id, 2026, [u.id for u in members])
        assert [d.id for d in voted] == [made[0].id, made[1].id]
        assert store.voted_dossiers(s, cluster.id, 2026, []) == []
        assert store.voted_dossiers(s, cluster.id, 2025, [u.id for u in members]) == []

        p = ClusterProposal(cluster_year_id=cy.id, meeting_id=m.id, status="draft")
        for i, d in enumerate(voted, 1):
            p.entries.append(ClusterProposalDossier(dossier_id=d.id, position_no=i, award=d.award))
        s.add(p)
        s.flush()
        pid, mid = p.id, m.id
        assert store.signed_minutes(s, mid) is None  # nothing of the meeting yet
        doc = Document(
            subject_kind="meeting",
            subject_id=mid,
            transition_seq=1,
            form="bien_ban_binh_xet_cum",
            copy_no=0,
            title="Biên bản",
            number="01/BB-CỤM I",
        )
        s.add(doc)
        s.flush()
        s.add(
            DocumentVersion(
                document_id=doc.id,
                seq=1,
                rendition="pdf-prepared",
                object_key="t/prepared.pdf",
                sha256="0" * 64,
                size=0,
                media_type="application/pdf",
                file_name="bb.pdf",
            )
        )
        s.flush()
        assert store.signed_minutes(s, mid) is None  # prepared, not signed
        s.add(
            DocumentVersion(
                document_id=doc.id,
                seq=2,
                rendition="pdf-signed",
                object_key="t/signed.pdf",
                sha256="1" * 64,
                size=0,
                media_type="application/pdf",
                file_name="bb.pdf",
            )
        )
        s.flush()
        found = store.signed_minutes(s, mid)
        assert found is not None and found.number == "01/BB-CỤM I"
        assert store.waiting_at_board(s, cluster.authority_id) == []
        p.status = ProposalStatus.BOARD_APPRAISAL.value
        s.flush()
        assert [x.id for x in store.waiting_at_board(s, cluster.authority_id)] == [pid]

    with db.read() as s:
        got = store.proposal_of(s, cy.id)
        assert got is not None and got.id == pid and got.subject.kind == "cluster_proposal"
        assert [e.award for e in got.entries] == ["co_thi_dua_ubnd_tinh", "bang_khen_ubnd_tinh"]

    # One proposal per cluster year; a dossier once per proposal.
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(ClusterProposal(cluster_year_id=cy.id, meeting_id=mid, status="draft"))
        s.flush()
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(
            ClusterProposalDossier(proposal_id=pid, dossier_id=made[0].id, position_no=9, award="x")
        )
        s.flush()
