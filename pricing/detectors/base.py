"""What a detector is and what it reports."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from common.messages import Message, text_of
from common.money import quantize_amount, quantize_unit_price

from ..sql.detectors import Scope


@dataclass
class Finding:
    """One detector's finding for one subject and month: it becomes a signal (of kind `detector`) on the subject's
    case."""

    detector: str  # the signal kind
    product_id: int
    subject_key: str  # "h:<hospital id>" or "province"
    period_start: date
    period_end: date
    deviation: Decimal  # relative: 0.45 = 45 % above what it is compared with
    summary: str | Message  # what was found: a message, shown in the reader's language (common.messages)
    hospital_id: int | None = None
    region_id: int | None = None
    observed_price: Decimal | None = None
    reference_value: Decimal | None = None
    amount_at_stake: Decimal = Decimal("0")
    evidence: dict = field(default_factory=dict)
    # how far past the detector's threshold: 1 at the threshold, 2 when the excess (in log terms) is twice it
    strength: Decimal = Decimal("1")
    # legitimate by design (e.g. above a payment standard): informs a case, never opens one
    informational: bool = False

    @cached_property
    def _stored_summary(self) -> tuple[str, dict]:
        # rendered once: a scan stores it on the signal and on a new case, and rendering (the source language
        # activated, the message translated) was a good part of writing a thousand findings
        return text_of(self.summary)

    @property
    def summary_text(self) -> str:
        """The summary in the source language (Chinese), stored beside its message."""
        return self._stored_summary[0][:300]

    @property
    def summary_message(self) -> dict:
        return self._stored_summary[1]

    @property
    def key(self) -> tuple:
        return (self.detector, self.product_id, self.subject_key, self.period_start)

    @property
    def score(self) -> Decimal:
        return signal_score(self.strength, self.amount_at_stake)

    @property
    def severity(self) -> int:
        return severity_for(self.score)


def strength_of(ratio: float, threshold: float) -> Decimal:
    """How far a ratio (observed / expected, > 1) is past a threshold ratio (> 1), in log terms: 1 at the threshold,
    2 when log(ratio) is twice log(threshold)."""
    if ratio <= 0 or threshold <= 1:
        return Decimal("0")
    return Decimal(str(round(math.log(ratio) / math.log(threshold), 2)))


def signal_score(strength: Decimal, amount: Decimal) -> Decimal:
    """The calibrated score of a signal: its strength, raised gently (at most ≈ ×1.75 at ¥1m) by the money at stake,
    so that a large excess ranks above a marginal one and money breaks ties between equally strong findings."""
    amount = max(float(amount or 0), 0.0)
    weight = 1 + 0.25 * math.log10(1 + amount / 1000)
    return Decimal(str(round(float(strength) * weight, 2)))


# score at or above → severity (4 严重, 3 高, 2 中; 1 低 below)
SEVERITY_SCORES = ((Decimal("4"), 4), (Decimal("2.5"), 3), (Decimal("1.6"), 2))


def severity_for(score: Decimal) -> int:
    """1 低 … 4 严重, from the calibrated score (a signal's, or a case's)."""
    for floor, level in SEVERITY_SCORES:
        if score >= floor:
            return level
    return 1


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

    def has_work(self, scope: Scope, new_observations: int) -> bool:
        """Whether a scan with `new_observations` (all of them on a full scan) has anything for it to judge."""
        return new_observations > 0

    def find(self, scope: Scope) -> list[Finding]:  # pragma: no cover - every detector overrides it
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.params}>"
