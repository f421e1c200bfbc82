"""What a detector is and what it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from common.money import quantize_amount, quantize_unit_price

from ..sql.detectors import Scope


@dataclass
class Finding:
    detector: str
    product_id: int
    subject_key: str  # "h:<hospital id>" or "province"
    period_start: date
    period_end: date
    deviation: Decimal  # relative: 0.45 = 45 % above what it is compared with
    summary: str
    hospital_id: int | None = None
    region_id: int | None = None
    observed_price: Decimal | None = None
    reference_value: Decimal | None = None
    amount_at_stake: Decimal = Decimal("0")
    evidence: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.detector, self.product_id, self.subject_key, self.period_start)

    @property
    def severity(self) -> int:
        return severity_for(self.deviation, self.amount_at_stake)


def severity_for(deviation: Decimal, amount: Decimal) -> int:
    """1 低 … 4 严重, from how far the price (or volume) is off and how much money is at stake."""
    size = abs(Decimal(deviation))
    points = 0
    if size >= Decimal("0.5"):
        points += 1
    if size >= Decimal("1"):
        points += 1
    if size >= Decimal("2"):
        points += 1
    if amount >= Decimal("10000"):
        points += 1
    if amount >= Decimal("100000"):
        points += 1
    return max(1, min(4, points))


def dec_price(value) -> Decimal | None:
    return None if value is None else quantize_unit_price(Decimal(str(value)))


def dec_amount(value) -> Decimal:
    return quantize_amount(Decimal(str(value or 0)))


def ratio(value, reference) -> Decimal:
    value, reference = Decimal(str(value)), Decimal(str(reference))
    if reference == 0:
        return Decimal("0")
    return (value / reference - 1).quantize(Decimal("0.0001"))


class Detector:
    """A detector: a name, a label, parameters with defaults, and `find(scope)` returning findings.

    `find` runs set-based SQL over the observation table; Python only shapes the (few) rows it returns.
    """

    name: str = ""
    label: str = ""
    defaults: dict = {}

    def __init__(self, **params):
        unknown = set(params) - set(self.defaults)
        if unknown:
            raise ValueError(f"{self.name}: unknown parameters {sorted(unknown)}")
        self.params = {**self.defaults, **params}

    def find(self, scope: Scope) -> list[Finding]:  # pragma: no cover - every detector overrides it
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.params}>"
