"""A dossier's documents by submission (lần trình). A submission begins with each
`submit`: after a return (or a withdrawal) the clerk submits again and the unit issues a
new set of reports and a new Tờ trình, which replace the earlier ones. Attachments are
filed with every submission made while they were in the dossier. No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.process import Action

ATTACHMENT = "attachment"


@dataclass(frozen=True)
class StepFacts:
    """A committed transition: its number, action and time."""

    seq: int
    action: str
    at: datetime


@dataclass(frozen=True)
class DocFacts:
    id: int
    form: str
    copy_no: int
    seq: int
    """The transition it was issued or prepared for; for an attachment, the dossier's
    last transition when it was uploaded (it goes with the next submission)."""
    issued: bool
    """Has its issued (signed and sealed) file."""
    removed_at: datetime | None = None


@dataclass(frozen=True)
class Placement:
    submissions: tuple[int, ...]
    """The submissions the document belongs to: one for a form; for an attachment every
    submission made while it was in the dossier (empty: not submitted yet)."""
    replaced_by: int | None = None
    """The issued document of a later submission that takes this one's place (same form,
    same copy)."""
    superseded_by: int | None = None
    """The submission after this document's last one, if there is one."""

    @property
    def submission(self) -> int | None:
        return self.submissions[-1] if self.submissions else None


def submit_steps(steps: Sequence[StepFacts]) -> list[StepFacts]:
    return [t for t in sorted(steps, key=lambda t: t.seq) if t.action == Action.SUBMIT]


def submission_of(seq: int, submits: Sequence[StepFacts]) -> int:
    """The submission transition `seq` belongs to (0: before the first submit)."""
    return sum(1 for t in submits if t.seq <= seq)


def place(docs: Sequence[DocFacts], steps: Sequence[StepFacts]) -> dict[int, Placement]:
    """Where each document belongs, and what replaced it."""
    submits = submit_steps(steps)
    latest = len(submits)
    numbers: dict[int, tuple[int, ...]] = {}
    for d in docs:
        if d.form == ATTACHMENT:
            numbers[d.id] = tuple(
                n
                for n, t in enumerate(submits, start=1)
                if d.seq < t.seq and (d.removed_at is None or d.removed_at > t.at)
            )
        else:
            numbers[d.id] = (submission_of(d.seq, submits),)
    issued_in = {
        (numbers[d.id][0], d.form, d.copy_no): d.id
        for d in docs
        if d.form != ATTACHMENT and d.issued and numbers[d.id]
    }
    placed = {}
    for d in docs:
        subs = numbers[d.id]
        last = subs[-1] if subs else None
        superseded = last + 1 if last is not None and last < latest else None
        replaced = None
        if d.form != ATTACHMENT and last is not None:
            later = (issued_in.get((n, d.form, d.copy_no)) for n in range(last + 1, latest + 1))
            replaced = next((x for x in later if x is not None), None)
        placed[d.id] = Placement(subs, replaced, superseded)
    return placed
