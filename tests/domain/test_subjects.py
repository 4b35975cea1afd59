"""Subjects: what a process moves, named by kind and id."""

from __future__ import annotations

import pytest

from domain.subjects import Subject, SubjectKind


def test_a_subject_read_back_from_a_row_equals_the_one_written():
    # Rows and requests give the kind as a plain string.
    assert Subject("dossier", 7) == Subject.dossier(7)  # type: ignore[arg-type]
    assert str(Subject.dossier(7)) == "dossier:7"
    with pytest.raises(ValueError):
        Subject("no_such_kind", 1)  # type: ignore[arg-type]


def test_only_a_dossier_has_a_dossier_id_and_a_round_groups_dossiers():
    dossier, round_ = Subject.dossier(3), Subject(SubjectKind.ROUND, 3)
    assert (dossier.dossier_id, round_.dossier_id) == (3, None)
    assert dossier != round_  # the same id, another subject
    assert round_.may_group(dossier)
    assert not dossier.may_group(round_) and not round_.may_group(Subject(SubjectKind.ROUND, 4))
