"""Prize money (tiền thưởng) of an award: a multiple of the lương cơ sở in force on the
decision's date, rounded up to the next 10.000 đ.

Both the multiples and the lương cơ sở change by decree, so they are configuration with
the dates they apply from and their legal basis, never constants in code: a decision is
paid by the values in force on its own date, and the decision's page says which values
it used (and which of them are not confirmed in the law as quoted in DOMAIN.md). No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

ROUND_TO = 10_000
"""Prize money is rounded up to a multiple of 10.000 đ."""


@dataclass(frozen=True)
class BaseSalary:
    """The lương cơ sở from `effective_from` (until the next entry's date)."""

    amount: int
    effective_from: date
    legal_basis: str
    confirmed: bool = True


@dataclass(frozen=True)
class Coefficient:
    """The multiple of lương cơ sở one award pays to one kind of nominee (collective or
    individual), from `effective_from` until `effective_to` (inclusive) or for good."""

    award: str
    nominee_kind: str
    value: Decimal
    effective_from: date
    legal_basis: str
    confirmed: bool = True
    effective_to: date | None = None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


NOT_CONFIRMED = "chưa xác nhận"

BASE_SALARIES: tuple[BaseSalary, ...] = (
    BaseSalary(1_800_000, date(2023, 7, 1), "Nghị định số 24/2023/NĐ-CP"),
    BaseSalary(2_340_000, date(2024, 7, 1), "Nghị định số 73/2024/NĐ-CP"),
)

_ND152 = date(2025, 7, 1)


def _c(award: str, kind: str, value: str, basis: str, *, confirmed: bool = True) -> Coefficient:
    return Coefficient(award, kind, Decimal(value), _ND152, basis, confirmed)


COEFFICIENTS: tuple[Coefficient, ...] = (
    _c("co_thi_dua_ubnd_tinh", "collective", "8.0", "Nghị định số 152/2025/NĐ-CP, Điều 49–54"),
    _c(
        "tap_the_lao_dong_xuat_sac",
        "collective",
        "1.5",
        "Nghị định số 152/2025/NĐ-CP, Điều 49–54",
    ),
    _c(
        "chien_si_thi_dua_cap_tinh",
        "individual",
        "3.0",
        "Nghị định số 152/2025/NĐ-CP, Điều 49–54",
    ),
    # Bằng khen của Chủ tịch UBND tỉnh: the multiples are not confirmed in NĐ 152/2025 as
    # DOMAIN.md quotes it; these are the former values (NĐ 91/2017: 1.0 for a person, a
    # collective twice as much) kept as configuration until they are.
    _c(
        "bang_khen_ubnd_tinh",
        "individual",
        "1.0",
        "Cấu hình (theo mức của Nghị định số 91/2017/NĐ-CP)",
        confirmed=False,
    ),
    _c(
        "bang_khen_ubnd_tinh",
        "collective",
        "2.0",
        "Cấu hình (theo mức của Nghị định số 91/2017/NĐ-CP)",
        confirmed=False,
    ),
)


class NoValueInForce(LookupError):
    """No configured value applies on the date asked for."""


def base_salary_on(on: date, table: tuple[BaseSalary, ...] = BASE_SALARIES) -> BaseSalary:
    applicable = [b for b in table if b.effective_from <= on]
    if not applicable:
        raise NoValueInForce(f"no lương cơ sở configured on {on}")
    return max(applicable, key=lambda b: b.effective_from)


def coefficient_on(
    award: str, nominee_kind: str, on: date, table: tuple[Coefficient, ...] = COEFFICIENTS
) -> Coefficient:
    applicable = [
        c for c in table if c.award == award and c.nominee_kind == nominee_kind and c.in_force(on)
    ]
    if not applicable:
        raise NoValueInForce(f"no coefficient for {award}/{nominee_kind} on {on}")
    return max(applicable, key=lambda c: c.effective_from)


def round_up(amount: Decimal | int) -> int:
    """Up to the next multiple of 10.000 đ (an exact multiple stays)."""
    steps = (Decimal(amount) / ROUND_TO).to_integral_value(rounding=ROUND_CEILING)
    return int(steps) * ROUND_TO


@dataclass(frozen=True)
class Prize:
    amount: int
    coefficient: Coefficient
    base_salary: BaseSalary

    @property
    def confirmed(self) -> bool:
        return self.coefficient.confirmed and self.base_salary.confirmed

    @property
    def basis_text(self) -> str:
        """How the amount was found, as the decision's page says it."""
        note = "" if self.coefficient.confirmed else f" ({NOT_CONFIRMED})"
        return (
            f"{vnd(self.amount)} = {self.coefficient.value} × lương cơ sở "
            f"{vnd(self.base_salary.amount)} ({self.base_salary.legal_basis}); "
            f"hệ số theo {self.coefficient.legal_basis}{note}"
        )


def prize(
    award: str,
    nominee_kind: str,
    on: date,
    *,
    coefficients: tuple[Coefficient, ...] = COEFFICIENTS,
    salaries: tuple[BaseSalary, ...] = BASE_SALARIES,
) -> Prize:
    """The prize money of `award` for a nominee of `nominee_kind` by a decision dated `on`."""
    c = coefficient_on(award, nominee_kind, on, coefficients)
    b = base_salary_on(on, salaries)
    return Prize(round_up(c.value * b.amount), c, b)


def vnd(amount: int) -> str:
    """2340000 → "2.340.000 đồng" (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def _values(
    award: str,
    nominee_kind: str,
    on: date,
    coefficients: tuple[Coefficient, ...],
    salaries: tuple[BaseSalary, ...],
) -> tuple[object, ...] | None:
    try:
        c, b = coefficient_on(award, nominee_kind, on, coefficients), base_salary_on(on, salaries)
    except NoValueInForce:
        return None
    return (c.value, c.effective_from, b.amount, b.effective_from)


def values_changed(
    awards: Iterable[str],
    prepared_on: date,
    signed_on: date,
    *,
    coefficients: tuple[Coefficient, ...] = COEFFICIENTS,
    salaries: tuple[BaseSalary, ...] = BASE_SALARIES,
) -> bool:
    """Whether a decision prepared on `prepared_on` and signed on `signed_on` would print
    other prize money than its own date asks (a new lương cơ sở or coefficient came into
    force in between): the prepared text must then be prepared again."""
    return any(
        _values(award, kind, prepared_on, coefficients, salaries)
        != _values(award, kind, signed_on, coefficients, salaries)
        for award in awards
        for kind in ("collective", "individual")
    )
