"""Eligibility (điều kiện khen thưởng): the conditions an award asks of a nominee, as data
— each rule an entry of a rule set with its legal basis, its effective period and its
parameters — and one evaluation of a nominee's facts against the rules in force on the
dossier's date. No I/O.

Two rule sets: Nghị định 98/2023/NĐ-CP for a dossier dated before 01/07/2025, Nghị định
152/2025/NĐ-CP from that date (DOMAIN.md, "Standards"). Where DOMAIN.md confirms a
condition (✓) the entry says so (`confirmed`); where the sources do not confirm a
difference between the two periods the values are kept equal and the entry is marked
configuration (?). A province overrides a parameter for one period with
TDKT_ELIGIBILITY_PARAMETERS ("nd152_2025:cstd_tinh_chuoi_cstdcs.years=4,…",
`configured`), as it overrides the council's thresholds.

Results: pass, fail, not_applicable (the rule is not about this award or holder) and
needs_confirmation (the facts cannot be judged here: a nominee not linked to the
registry, the cluster's lead without the cluster's vote — the board confirms it with an
override note).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from domain.awards import NomineeKind
from domain.registry import Occasion, award_name


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NEEDS_CONFIRMATION = "needs_confirmation"


OUTCOME_LABELS = {
    Outcome.PASS: "Đạt",
    Outcome.FAIL: "Không đạt",
    Outcome.NOT_APPLICABLE: "Không áp dụng",
    Outcome.NEEDS_CONFIRMATION: "Cần xác nhận",
}

CSTDCS = "chien_si_thi_dua_co_so"
HTXSNV = "hoan_thanh_xuat_sac_nhiem_vu"
TTLDXS = "tap_the_lao_dong_xuat_sac"
CSTD_TINH = "chien_si_thi_dua_cap_tinh"
BANG_KHEN = "bang_khen_ubnd_tinh"
CO_THI_DUA = "co_thi_dua_ubnd_tinh"

ALREADY_AWARDED = "already_awarded"
DUPLICATE_PROPOSAL = "duplicate_proposal"
INITIATIVE_REUSED = "initiative_reused"

INITIATIVE_SCOPES = {
    "co_so": "Cơ sở (trong đơn vị)",
    "tinh": "Toàn tỉnh",
    "toan_quoc": "Toàn quốc",
}
"""Where an initiative's effect was recognised, as the pages say it."""

PROVINCE_WIDE = frozenset({"tinh", "toan_quoc"})
"""An initiative's scopes whose effect reaches the whole province (or further)."""

DISCIPLINE = "discipline"
RESTRICTION_LABELS = {
    "discipline": "bị kỷ luật",
    "investigation": "bị điều tra",
    "complaint": "bị khiếu nại, tố cáo",
}


@dataclass(frozen=True)
class RuleSet:
    code: str
    name: str
    legal_basis: str
    effective_from: date
    effective_to: date | None
    """Inclusive; None: in force until replaced."""

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


ND98 = RuleSet(
    "nd98_2023",
    "Nghị định 98/2023/NĐ-CP",
    "Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định số 98/2023/NĐ-CP",
    date(2023, 12, 31),
    date(2025, 6, 30),
)
ND152 = RuleSet(
    "nd152_2025",
    "Nghị định 152/2025/NĐ-CP",
    "Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định số 152/2025/NĐ-CP",
    date(2025, 7, 1),
    None,
)
RULE_SETS: tuple[RuleSet, ...] = (ND98, ND152)


def rule_set_on(on: date, sets: Sequence[RuleSet] = RULE_SETS) -> RuleSet:
    """The rule set in force on `on`; a date before the first one is judged by the first
    (NĐ 98/2023 took over from the rules of the former law on 31/12/2023)."""
    for rs in sets:
        if rs.in_force(on):
            return rs
    return min(sets, key=lambda rs: rs.effective_from)


@dataclass(frozen=True)
class Rule:
    """One condition of one rule set."""

    code: str
    title: str
    awards: frozenset[str] | None
    """The awards it applies to; None: every award."""
    holder: NomineeKind | None
    """The kind of nominee it applies to; None: both."""
    check: str
    """The name of its check (CHECKS)."""
    legal_basis: str
    rule_set: RuleSet
    params: Mapping[str, object] = field(default_factory=dict)
    confirmed: bool = True
    """✓ in DOMAIN.md; False: configuration (?) until confirmed."""
    blocks_unconfirmed: bool = False
    """needs_confirmation blocks the board's approval until confirmed (override)."""

    @property
    def effective_from(self) -> date:
        return self.rule_set.effective_from

    @property
    def effective_to(self) -> date | None:
        return self.rule_set.effective_to

    def applies(self, award: str, holder: NomineeKind) -> bool:
        return (self.awards is None or award in self.awards) and (
            self.holder is None or self.holder == holder
        )


# ---- the facts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """One registry record of the holder."""

    award: str
    year: int
    occasion: str = Occasion.YEARLY
    revoked: bool = False


@dataclass(frozen=True)
class Restriction:
    kind: str
    """discipline | investigation | complaint."""
    starts_on: date
    ends_on: date | None
    level: str | None = None


@dataclass(frozen=True)
class Initiative:
    title: str
    scope: str
    applied: bool = False
    certificate: bool = False
    """Its certificate (giấy chứng nhận) is attached."""
    title_key: str = ""


@dataclass(frozen=True)
class CollectiveCounts:
    members: int
    completed_duties: int
    lao_dong_tien_tien: int
    chien_si_thi_dua_co_so: int
    disciplined_canh_cao_or_above: int


@dataclass(frozen=True)
class OtherProposal:
    """Another live dossier's nominee: the same holder, award and year, or using the same
    initiative."""

    dossier_id: int
    title: str = ""


@dataclass(frozen=True)
class NomineeFacts:
    holder: NomineeKind
    award: str
    year: int
    """The dossier's year: the award is for it; the chains count the years before."""
    linked: bool
    """Linked to a person or collective of the registry (else nothing can be looked up)."""
    holdings: tuple[Holding, ...] = ()
    restrictions: tuple[Restriction, ...] = ()
    initiatives: tuple[Initiative, ...] = ()
    counts: CollectiveCounts | None = None
    same_proposals: tuple[OtherProposal, ...] = ()
    """Other live dossiers proposing the same holder for the same award and year."""
    initiative_reuse: Mapping[str, tuple[OtherProposal, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Per initiative title_key: other live proposals resting on it."""


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    evidence: str
    code: str | None = None
    """A stable refusal code (already_awarded, duplicate_proposal) where one applies."""


@dataclass(frozen=True)
class Judgement:
    rule: Rule
    outcome: Outcome
    evidence: str
    code: str | None = None

    @property
    def failed(self) -> bool:
        return self.outcome is Outcome.FAIL

    @property
    def always_refused(self) -> bool:
        """No explanation lets it through (one achievement rewarded once)."""
        return self.code in (ALREADY_AWARDED, DUPLICATE_PROPOSAL)

    @property
    def needs_override(self) -> bool:
        """What blocks the board's approval unless overridden."""
        return self.outcome is Outcome.FAIL or (
            self.outcome is Outcome.NEEDS_CONFIRMATION and self.rule.blocks_unconfirmed
        )


# ---- the checks --------------------------------------------------------------------------

_UNLINKED = (
    "Chưa gắn với cá nhân/tập thể trong sổ khen thưởng: chưa đối chiếu được, "
    "Phòng Thi đua – Khen thưởng xác nhận khi thẩm định"
)


def discipline_end(f: NomineeFacts, on: date) -> date | None:
    """The end of the latest discipline that ended by `on` (achievements count from
    then)."""
    ends = [
        r.ends_on
        for r in f.restrictions
        if r.kind == DISCIPLINE and r.ends_on is not None and r.ends_on <= on
    ]
    return max(ends) if ends else None


def counted_years(f: NomineeFacts, awards: Iterable[str], on: date) -> set[int]:
    """The years the holder holds one of `awards`, counted for a chain: yearly awards only
    (not đột xuất or chuyên đề), not revoked, and only years after the end of a
    discipline."""
    wanted = set(awards)
    after = discipline_end(f, on)
    return {
        h.year
        for h in f.holdings
        if h.award in wanted
        and h.occasion == Occasion.YEARLY
        and not h.revoked
        and (after is None or h.year > after.year)
    }


def _chain_years(f: NomineeFacts, n: int) -> list[int]:
    return list(range(f.year - n, f.year))


def _years_text(years: Iterable[int]) -> str:
    ys = sorted(years)
    return ", ".join(str(y) for y in ys) if ys else "không có năm nào"


def _not_counted(f: NomineeFacts, awards: Iterable[str], on: date) -> str:
    """Why records of `awards` were left out of the chain, if any were."""
    wanted, notes = set(awards), []
    after = discipline_end(f, on)
    for h in sorted(f.holdings, key=lambda h: h.year):
        if h.award not in wanted:
            continue
        if h.revoked:
            notes.append(f"{h.year} đã bị thu hồi")
        elif h.occasion != Occasion.YEARLY:
            notes.append(f"{h.year} là khen {_occasion_word(h.occasion)}")
        elif after is not None and h.year <= after.year:
            notes.append(f"{h.year} trước khi hết kỷ luật ({after:%d/%m/%Y})")
    return f" (không tính: {'; '.join(notes)})" if notes else ""


def _occasion_word(occasion: str) -> str:
    return {Occasion.SUDDEN.value: "đột xuất", Occasion.CAMPAIGN.value: "theo chuyên đề"}.get(
        occasion, "khác"
    )


def _chain(f: NomineeFacts, awards: Sequence[str], n: int, on: date, label: str) -> Verdict:
    want = _chain_years(f, n)
    have = counted_years(f, awards, on)
    found = [y for y in want if y in have]
    missing = [y for y in want if y not in have]
    text = f"{label}: {_years_text(found)}"
    if missing:
        text += f" — thiếu {_years_text(missing)}"
    text += _not_counted(f, awards, on)
    return Verdict(Outcome.FAIL if missing else Outcome.PASS, text)


def _int(rule: Rule, name: str) -> int:
    value = rule.params[name]
    assert isinstance(value, int)
    return value


def check_chain(rule: Rule, f: NomineeFacts, on: date) -> Verdict:
    if not f.linked:
        return Verdict(Outcome.NEEDS_CONFIRMATION, _UNLINKED)
    awards = tuple(str(a) for a in rule.params["titles"])  # type: ignore[attr-defined]
    label = " hoặc ".join(award_name(a) for a in awards)
    return _chain(f, awards, _int(rule, "years"), on, label)


def check_province_initiative(rule: Rule, f: NomineeFacts, on: date) -> Verdict:
    if not f.linked and not f.initiatives:
        return Verdict(Outcome.NEEDS_CONFIRMATION, "Chưa khai sáng kiến, đề tài trong hồ sơ")
    wide = [i for i in f.initiatives if i.scope in PROVINCE_WIDE]
    certified = [i for i in wide if i.certificate]
    if certified:
        return Verdict(
            Outcome.PASS,
            "Sáng kiến/đề tài có hiệu quả phạm vi toàn tỉnh, có giấy chứng nhận: "
            + "; ".join(f"«{i.title}»" for i in certified),
        )
    if wide:
        return Verdict(
            Outcome.FAIL,
            "Sáng kiến/đề tài phạm vi toàn tỉnh chưa đính kèm giấy chứng nhận: "
            + "; ".join(f"«{i.title}»" for i in wide),
        )
    return Verdict(
        Outcome.FAIL,
        f"Không có sáng kiến/đề tài có hiệu quả phạm vi toàn tỉnh ({len(f.initiatives)} "
        "sáng kiến/đề tài đã khai)",
    )


def check_individual_commendation(rule: Rule, f: NomineeFacts, on: date) -> Verdict:
    if not f.linked:
        return Verdict(Outcome.NEEDS_CONFIRMATION, _UNLINKED)
    n = _int(rule, "years")
    first = _chain(f, (CSTDCS,), n, on, award_name(CSTDCS))
    second = _chain(f, (HTXSNV,), n, on, award_name(HTXSNV))
    need = _int(rule, "initiatives_applied")
    applied = [i for i in f.initiatives if i.applied]
    enough = len(applied) >= need
    initiatives = f"sáng kiến được áp dụng: {len(applied)}/{need}"
    ok = first.outcome is Outcome.PASS or (second.outcome is Outcome.PASS and enough)
    return Verdict(
        Outcome.PASS if ok else Outcome.FAIL,
        f"Cách 1 — {first.evidence}. Cách 2 — {second.evidence}; {initiatives}",
    )


def check_collective_commendation(rule: Rule, f: NomineeFacts, on: date) -> Verdict:
    return check_chain(rule, f, on)


def check_collective_counts(rule: Rule, f: NomineeFacts, on: date) -> Verdict:
    c = f.counts
    if c is None:
        if not f.linked:
            return Verdict(Outcome.NEEDS_CONFIRMATION, "Chưa khai số liệu của tập thể")
        return Verdict(Outcome.FAIL, "Chưa khai số liệu của tập thể (số thành viên, …)")
    share = rule.params["lao_dong_tien_tien_share"]
    assert isinstance(share, Fraction)
    problems = []
    if c.members <= 0:
        problems.append("số thành viên phải lớn hơn 0")
    else:
        if c.completed_duties < c.members:
            problems.append(
                f"{c.completed_duties}/{c.members} thành viên hoàn thành nhiệm vụ (cần 100%)"
            )
        if Fraction(c.lao_dong_tien_tien, c.members) < share:
            problems.append(
                f"{c.lao_dong_tien_tien}/{c.members} đạt Lao động tiên tiến "
                f"(cần ≥ {_percent(share)})"
            )
    if c.chien_si_thi_dua_co_so < _int(rule, "min_cstdcs"):
        problems.append(f"{c.chien_si_thi_dua_co_so} Chiến sĩ thi đua cơ sở (cần ≥ 1)")
    if c.disciplined_canh_cao_or_above > 0:
        problems.append(f"{c.disciplined_canh_cao_or_above} người bị kỷ luật từ cảnh cáo trở lên")
    summary = (
        f"{c.members} thành viên; {c.completed_duties} hoàn thành nhiệm vụ; "
        f"{c.lao_dong_tien_tien} Lao động tiên tiến; {c.chien_si_thi_dua_co_so} Chiến sĩ thi "
        f"đua cơ sở; {c.disciplined_canh_cao_or_above} bị kỷ luật từ cảnh cáo trở lên"
    )
    if problems:
        return Verdict(Outcome.FAIL, f"{summary} — {'; '.join(problems)}")
    return Verdict(Outcome.PASS, summary)


def check_cluster_lead(rule: Rule, f: NomineeFacts, on: date) -> Verdict:
    return Verdict(
        Outcome.NEEDS_CONFIRMATION,
        "Dẫn đầu Cụm thi đua năm "
        f"{f.year}: chưa có kết quả bình xét của Cụm trên hệ thống — Ban Thi đua – Khen "
        "thưởng xác nhận",
    )


def check_once(rule: Rule, f: NomineeFacts, on: date) -> Verdict:
    name = award_name(f.award)
    held = [h for h in f.holdings if h.award == f.award and h.year == f.year and not h.revoked]
    if held:
        return Verdict(
            Outcome.FAIL,
            f"Đã được tặng {name} năm {f.year} (trong sổ khen thưởng)",
            ALREADY_AWARDED,
        )
    if f.same_proposals:
        listed = ", ".join(f"hồ sơ số {p.dossier_id}" for p in f.same_proposals)
        return Verdict(
            Outcome.FAIL,
            f"Đang được đề nghị {name} năm {f.year} trong {listed}",
            DUPLICATE_PROPOSAL,
        )
    if not f.linked:
        return Verdict(Outcome.NEEDS_CONFIRMATION, _UNLINKED)
    return Verdict(Outcome.PASS, f"Chưa được tặng, chưa được đề nghị {name} năm {f.year}")


def check_initiative_once(rule: Rule, f: NomineeFacts, on: date) -> Verdict:
    if not f.initiatives:
        return Verdict(Outcome.NOT_APPLICABLE, "Không khai sáng kiến, đề tài")
    reused = [
        (i, f.initiative_reuse.get(i.title_key, ()))
        for i in f.initiatives
        if f.initiative_reuse.get(i.title_key)
    ]
    if reused:
        text = "; ".join(
            f"«{i.title}» đã dùng cho " + ", ".join(f"hồ sơ số {p.dossier_id}" for p in others)
            for i, others in reused
        )
        return Verdict(Outcome.FAIL, text, INITIATIVE_REUSED)
    return Verdict(
        Outcome.PASS, f"{len(f.initiatives)} sáng kiến/đề tài chưa dùng cho đề nghị khác"
    )


def check_restrictions(rule: Rule, f: NomineeFacts, on: date) -> Verdict:
    running = [
        r for r in f.restrictions if r.starts_on <= on and (r.ends_on is None or on <= r.ends_on)
    ]
    if running:
        text = "; ".join(
            f"{RESTRICTION_LABELS.get(r.kind, r.kind)}"
            + (f" ({r.level})" if r.level else "")
            + f" từ {r.starts_on:%d/%m/%Y}"
            + (f" đến {r.ends_on:%d/%m/%Y}" if r.ends_on else "")
            for r in running
        )
        return Verdict(Outcome.FAIL, f"Đang {text} (ngày của hồ sơ: {on:%d/%m/%Y})")
    if not f.linked:
        return Verdict(Outcome.NEEDS_CONFIRMATION, _UNLINKED)
    after = discipline_end(f, on)
    if after is not None:
        return Verdict(
            Outcome.PASS, f"Hết kỷ luật ngày {after:%d/%m/%Y}: thành tích tính từ sau ngày đó"
        )
    return Verdict(Outcome.PASS, "Không bị kỷ luật, điều tra, khiếu nại")


CHECKS: dict[str, Callable[[Rule, NomineeFacts, date], Verdict]] = {
    "chain": check_chain,
    "province_initiative": check_province_initiative,
    "individual_commendation": check_individual_commendation,
    "collective_counts": check_collective_counts,
    "cluster_lead": check_cluster_lead,
    "once": check_once,
    "initiative_once": check_initiative_once,
    "restrictions": check_restrictions,
}


def _percent(share: Fraction) -> str:
    value = share * 100
    return f"{int(value)}%" if value.denominator == 1 else f"{float(value):.1f}%"


# ---- the rules, as data -------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the two rule sets share it; `confirmed_in`: the rule sets in which
    DOMAIN.md confirms it (✓), and `basis` per rule set."""

    code: str
    title: str
    awards: frozenset[str] | None
    holder: NomineeKind | None
    check: str
    basis: Mapping[str, str]
    params: Mapping[str, object]
    confirmed_in: frozenset[str]
    blocks_unconfirmed: bool = False


_I, _C = NomineeKind.INDIVIDUAL, NomineeKind.COLLECTIVE
_LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15"
_98, _152 = ND98.code, ND152.code
_BOTH_SETS = frozenset({_98, _152})
_ONLY_152 = frozenset({_152})

SPECS: tuple[RuleSpec, ...] = (
    RuleSpec(
        "cstd_tinh_chuoi_cstdcs",
        "Chiến sĩ thi đua cơ sở 03 năm liên tục trước năm đề nghị",
        frozenset({CSTD_TINH}),
        _I,
        "chain",
        {_98: f"{_LAW}; Nghị định 98/2023/NĐ-CP", _152: f"{_LAW}; NĐ 152/2025"},
        {"titles": (CSTDCS,), "years": 3},
        _ONLY_152,
    ),
    RuleSpec(
        "cstd_tinh_sang_kien",
        "Sáng kiến, đề tài có hiệu quả phạm vi toàn tỉnh (có giấy chứng nhận)",
        frozenset({CSTD_TINH}),
        _I,
        "province_initiative",
        {_98: f"{_LAW}; Nghị định 98/2023/NĐ-CP", _152: f"{_LAW}; NĐ 152/2025"},
        {},
        _ONLY_152,
    ),
    RuleSpec(
        "bang_khen_ca_nhan",
        "Bằng khen (cá nhân): 02 năm liên tục Chiến sĩ thi đua cơ sở, hoặc 02 năm liên tục "
        "Hoàn thành xuất sắc nhiệm vụ và 02 sáng kiến được áp dụng",
        frozenset({BANG_KHEN}),
        _I,
        "individual_commendation",
        {_98: f"{_LAW}, Điều 74; Nghị định 98/2023/NĐ-CP", _152: f"{_LAW}, Điều 74; NĐ 152/2025"},
        {"years": 2, "initiatives_applied": 2},
        _ONLY_152,
    ),
    RuleSpec(
        "bang_khen_tap_the",
        "Bằng khen (tập thể): 02 năm liên tục Hoàn thành xuất sắc nhiệm vụ hoặc Tập thể lao "
        "động xuất sắc",
        frozenset({BANG_KHEN}),
        _C,
        "chain",
        {
            _98: f"{_LAW}, Điều 74; quy định thi đua, khen thưởng của tỉnh",
            _152: f"{_LAW}, Điều 74; quy định thi đua, khen thưởng của tỉnh (NĐ 152/2025)",
        },
        {"titles": (HTXSNV, TTLDXS), "years": 2},
        _ONLY_152,
    ),
    RuleSpec(
        "ttldxs_dieu_kien",
        "Tập thể lao động xuất sắc: 100% hoàn thành nhiệm vụ, ≥ 70% Lao động tiên tiến, "
        "có Chiến sĩ thi đua cơ sở, không ai bị kỷ luật từ cảnh cáo trở lên",
        frozenset({TTLDXS}),
        _C,
        "collective_counts",
        {_98: f"{_LAW}; Nghị định 98/2023/NĐ-CP", _152: f"{_LAW}; NĐ 152/2025"},
        {"lao_dong_tien_tien_share": Fraction(7, 10), "min_cstdcs": 1},
        _ONLY_152,
    ),
    RuleSpec(
        "co_thi_dua_dan_dau_cum",
        "Cờ thi đua: dẫn đầu Cụm thi đua trong năm",
        frozenset({CO_THI_DUA}),
        _C,
        "cluster_lead",
        {
            _98: f"{_LAW}, Điều 26; quy định thi đua, khen thưởng của tỉnh",
            _152: f"{_LAW}, Điều 26; quy định thi đua, khen thưởng của tỉnh (NĐ 152/2025)",
        },
        {},
        _ONLY_152,
        blocks_unconfirmed=True,
    ),
    RuleSpec(
        "mot_thanh_tich_mot_lan",
        "Một thành tích chỉ khen một lần (cùng hình thức, cùng năm)",
        None,
        None,
        "once",
        {_98: f"{_LAW}; Nghị định 98/2023/NĐ-CP", _152: f"{_LAW}; NĐ 152/2025"},
        {},
        _ONLY_152,
    ),
    RuleSpec(
        "sang_kien_mot_de_nghi",
        "Một sáng kiến chỉ làm căn cứ cho một đề nghị",
        None,
        None,
        "initiative_once",
        {
            _98: "Công văn số 5007/BNV-TĐKT năm 2023",
            _152: "Công văn số 5007/BNV-TĐKT năm 2023 (còn hiệu lực?)",
        },
        {},
        frozenset({_98}),
    ),
    RuleSpec(
        "khong_dang_bi_ky_luat",
        "Không đang bị kỷ luật, điều tra, khiếu nại; thành tích tính từ khi hết kỷ luật",
        None,
        None,
        "restrictions",
        {_98: "Nghị định 98/2023/NĐ-CP", _152: "Nghị định 152/2025/NĐ-CP, Điều 4"},
        {},
        _ONLY_152,
    ),
)


def build_rules(specs: Sequence[RuleSpec] = SPECS) -> tuple[Rule, ...]:
    return tuple(
        Rule(
            code=spec.code,
            title=spec.title,
            awards=spec.awards,
            holder=spec.holder,
            check=spec.check,
            legal_basis=spec.basis[rs.code],
            rule_set=rs,
            params=MappingProxyType(dict(spec.params)),
            confirmed=rs.code in spec.confirmed_in,
            blocks_unconfirmed=spec.blocks_unconfirmed,
        )
        for rs in RULE_SETS
        for spec in specs
    )


RULES: tuple[Rule, ...] = build_rules()


def configured(setting: str, rules: Sequence[Rule] = RULES) -> tuple[Rule, ...]:
    """The rules with a province's parameters over the defaults (TDKT_ELIGIBILITY_PARAMETERS:
    "rule_set:rule.param=value,…", e.g. "nd152_2025:cstd_tinh_chuoi_cstdcs.years=4" or
    "nd98_2023:ttldxs_dieu_kien.lao_dong_tien_tien_share=75%"). A changed value is
    configuration (?) of the province, so the rule says so in its legal basis."""
    by_key = {(r.rule_set.code, r.code): r for r in rules}
    changed: dict[tuple[str, str], Rule] = {}
    for part in setting.split(","):
        if not part.strip():
            continue
        head, _, value = part.partition("=")
        set_code, _, dotted = head.strip().partition(":")
        code, _, param = dotted.partition(".")
        key = (set_code.strip(), code.strip())
        rule = changed.get(key) or by_key.get(key)
        if rule is None or param.strip() not in rule.params or not value.strip():
            raise ValueError(f"bad eligibility parameter {part!r}")
        param = param.strip()
        old = rule.params[param]
        new: object
        try:
            if isinstance(old, Fraction):
                text = value.strip()
                new = Fraction(text.rstrip("%")) / (100 if text.endswith("%") else 1)
                if not 0 < new <= 1:
                    raise ValueError
            elif isinstance(old, int):
                new = int(value.strip())
                if new < 0:
                    raise ValueError
            else:
                raise ValueError
        except (ValueError, ZeroDivisionError) as e:
            raise ValueError(f"bad eligibility parameter {part!r}") from e
        changed[key] = replace(
            rule,
            params=MappingProxyType({**rule.params, param: new}),
            confirmed=False,
            legal_basis=rule.legal_basis.removesuffix(" — cấu hình của tỉnh")
            + " — cấu hình của tỉnh",
        )
    return tuple(changed.get((r.rule_set.code, r.code), r) for r in rules)


def rules_on(on: date, rules: Sequence[Rule] = RULES) -> tuple[RuleSet, tuple[Rule, ...]]:
    rs = rule_set_on(on)
    return rs, tuple(r for r in rules if r.rule_set.code == rs.code)


def evaluate(f: NomineeFacts, on: date, rules: Sequence[Rule] = RULES) -> list[Judgement]:
    """Every rule of the set in force on `on` (the dossier's date), for the nominee."""
    _, in_force = rules_on(on, rules)
    return judge_all(f, on, in_force)


def judge_all(f: NomineeFacts, on: date, in_force: Sequence[Rule]) -> list[Judgement]:
    """`evaluate` with the rules in force already chosen (many nominees, one date)."""
    out = []
    for rule in in_force:
        if not rule.applies(f.award, f.holder):
            out.append(Judgement(rule, Outcome.NOT_APPLICABLE, "Không áp dụng cho đề nghị này"))
            continue
        v = CHECKS[rule.check](rule, f, on)
        out.append(Judgement(rule, v.outcome, v.evidence, v.code))
    return out


PARAM_LABELS = {
    "titles": "danh hiệu tính",
    "years": "số năm liên tục",
    "initiatives_applied": "số sáng kiến được áp dụng",
    "lao_dong_tien_tien_share": "tỷ lệ Lao động tiên tiến tối thiểu",
    "min_cstdcs": "số Chiến sĩ thi đua cơ sở tối thiểu",
}


def params_text(rule: Rule) -> str:
    """The parameters as the page shows them ("số năm liên tục: 3; …")."""
    parts = []
    for k, v in rule.params.items():
        label = PARAM_LABELS.get(k, k)
        if isinstance(v, Fraction):
            parts.append(f"{label}: {_percent(v)}")
        elif isinstance(v, tuple):
            parts.append(f"{label}: {', '.join(award_name(str(x)) for x in v)}")
        else:
            parts.append(f"{label}: {v}")
    return "; ".join(parts)
