"""How far the machine work of a step of a dossier (or of a round) has got: which of the
documents the step issues (and of those it prepares for the next approval) are done. Read
from what the flow has recorded, against the step's plan (issuing/forms.py: `plan_step`,
`plan_next`); nothing is stored for it. The dossier's and the round's pages poll it while
the step runs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from domain.subjects import Subject
from issuing.forms import FormJob, plan_next, plan_step
from storage import outbox
from storage.models import Document, Dossier
from storage.repositories import documents as documents_repo


class DocumentProgress(BaseModel):
    title: str
    purpose: Literal["issue", "prepare"]
    """Issued (numbered, sealed) by this step, or prepared for the next approver to sign."""
    done: bool


class StepProgress(BaseModel):
    processing: bool
    """The step's machine work has not finished (actions wait for it)."""
    done: int
    total: int
    documents: list[DocumentProgress]
    retrying: bool = False
    """An attempt failed already; the system tries again by itself."""


IDLE = StepProgress(processing=False, done=0, total=0, documents=[])


def _key(job: FormJob) -> tuple[int, str, int]:
    return job.seq, job.form, job.copy_no


def step_progress(s: Session, d: Dossier) -> StepProgress:
    """The progress of the dossier's oldest unfinished step (the caller checked that the
    reader may see the dossier: titles name its nominees)."""
    return subject_progress(s, Subject.dossier(d.id))


def subject_progress(s: Session, subject: Subject) -> StepProgress:
    """The progress of the oldest unfinished step of a dossier or a round (a round's
    approval by the Sở's leader issues its Tờ trình); the caller checked that the reader
    may see the subject."""
    item = outbox.unfinished_step(s, subject)
    if item is None:
        return IDLE
    try:
        issued = plan_step(s, subject, item.transition_seq)
        prepared = plan_next(s, subject, item.transition_seq)
    except LookupError:  # the plan cannot be made (no cluster leadership that year)
        issued, prepared = [], []
    made: dict[tuple[int, str, int], Document] = {
        (doc.transition_seq, doc.form, doc.copy_no): doc
        for doc in documents_repo.subject_documents(s, subject)
    }

    def has(job: FormJob, rendition: str) -> bool:
        doc = made.get(_key(job))
        return doc is not None and any(v.rendition == rendition for v in doc.versions)

    documents = [
        *(
            DocumentProgress(title=j.title, purpose="issue", done=has(j, "pdf-signed"))
            for j in issued
        ),
        *(
            DocumentProgress(title=j.title, purpose="prepare", done=has(j, "pdf-prepared"))
            for j in prepared
        ),
    ]
    return StepProgress(
        processing=True,
        done=sum(doc.done for doc in documents),
        total=len(documents),
        documents=documents,
        retrying=item.state == "failed" or item.attempts > 1,
    )
