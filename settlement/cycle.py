"""The statement cycle (结算周期): how long a statement's period is — a month, half a month or a week — and what that
means for the 30-day payment deadline.

Payment is due 30 days after acceptance at receipt (国办发〔2021〕2号, `SETTLEMENT_PAYMENT_TERM_DAYS`), counted from
each receipt; a statement is claimed only after its period ends (by the `SETTLEMENT_CLAIM_DAY`-th day after it) and
the hospital has `SETTLEMENT_CONFIRMATION_WORKING_DAYS` working days to confirm. For a receipt on the first day of a
period the fund can pay only after all of that: `worst_case()` adds it up. With the monthly cycle it is about six weeks
(31 + 5 + 7), more than the 30 days — the reason Jiangsu and others settle receipts early in the month late; a
semi-monthly or weekly cycle leaves the fund time. The fund officers' statement list says so when the configured
cycle cannot meet the deadline (a setting outside the three cycles is the system check `settlement.E003`).

| cycle         | periods                          | statement number part | longest period |
|---------------|----------------------------------|-----------------------|----------------|
| `monthly`     | the calendar month               | `202611`              | 31 days        |
| `semimonthly` | the 1st–15th and the 16th–end    | `202611A`, `202611B`  | 16 days        |
| `weekly`      | Monday–Sunday (ISO weeks)        | `2026W45`             | 7 days         |

A statement's `period` is its period's first day, whatever the cycle; changing the cycle takes effect for the
periods generated afterwards (a receipt line is settled once, in whichever statement takes it first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from common import rules

MONTHLY, SEMIMONTHLY, WEEKLY = "monthly", "semimonthly", "weekly"
CYCLES = (MONTHLY, SEMIMONTHLY, WEEKLY)
LONGEST = {MONTHLY: 31, SEMIMONTHLY: 16, WEEKLY: 7}


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive: the next period's first day
    cycle: str

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def code(self) -> str:
        """The period's part of a statement number."""
        if self.cycle == WEEKLY:
            year, week, _day = self.start.isocalendar()
            return f"{year}W{week:02d}"
        if self.cycle == SEMIMONTHLY:
            return f"{self.start:%Y%m}{'A' if self.start.day == 1 else 'B'}"
        return f"{self.start:%Y%m}"

    @property
    def label(self) -> str:
        if self.cycle == MONTHLY:
            return f"{self.start:%Y-%m}"
        return f"{self.start:%Y-%m-%d} – {self.last_day:%m-%d}"

    def claim_due(self, claim_day: int) -> date:
        """The claim is due on the `claim_day`-th day after the period (monthly: that day of the next month)."""
        return self.end + timedelta(days=claim_day - 1)


def current_cycle() -> str:
    return rules.settlement().cycle


def period_containing(day: date, cycle: str | None = None) -> Period:
    cycle = cycle or current_cycle()
    if cycle == WEEKLY:
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=7), cycle)
    if cycle == SEMIMONTHLY:
        if day.day <= 15:
            return Period(day.replace(day=1), day.replace(day=16), cycle)
        return Period(day.replace(day=16), _next_month(day), cycle)
    return Period(day.replace(day=1), _next_month(day), cycle)


def last_ended(today: date, cycle: str | None = None) -> Period:
    """The latest period that has ended by `today`."""
    return period_containing(period_containing(today, cycle).start - timedelta(days=1), cycle)


def ended_periods(today: date, count: int, cycle: str | None = None) -> list[Period]:
    """The `count` latest ended periods, newest first (what a fund officer may generate by hand)."""
    periods = [last_ended(today, cycle)]
    while len(periods) < count:
        periods.append(period_containing(periods[-1].start - timedelta(days=1), cycle))
    return periods


@dataclass(frozen=True)
class WorstCase:
    cycle: str
    period_days: int
    claim_days: int
    confirmation_days: int
    total_days: int
    payment_term_days: int

    @property
    def meets_deadline(self) -> bool:
        return self.total_days <= self.payment_term_days

    @property
    def message(self) -> str:
        return _(
            "按当前结算周期（%(cycle)s），周期第一天验收的货款最晚要 %(total)s 天后才能完成医疗机构确认"
            "（周期 %(period)s 天 + 申报 %(claim)s 天 + 确认约 %(confirm)s 天），超过验收后 %(term)s 天的付款期限；"
            "请改为半月或按周结算（SETTLEMENT_CYCLE），或缩短申报、确认时限。"
        ) % {
            "cycle": cycle_label(self.cycle),
            "total": self.total_days,
            "period": self.period_days,
            "claim": self.claim_days,
            "confirm": self.confirmation_days,
            "term": self.payment_term_days,
        }


def worst_case(cycle: str | None = None) -> WorstCase:
    """Days from a receipt on a period's first day to the hospital's confirmation of its statement, at the latest:
    the longest period, the claim window, the confirmation window (working days, counted as calendar days at 7 per
    5 — holidays can only make it longer). The fund's own review and payment come on top."""
    terms = rules.settlement()
    cycle = cycle or terms.cycle
    period_days = LONGEST[cycle]
    claim_days = terms.claim_day - 1
    confirmation_days = math.ceil(terms.confirmation_working_days * 7 / 5)
    return WorstCase(
        cycle=cycle,
        period_days=period_days,
        claim_days=claim_days,
        confirmation_days=confirmation_days,
        total_days=period_days + claim_days + confirmation_days,
        payment_term_days=terms.payment_term_days,
    )


def cycle_label(cycle: str) -> str:
    return {MONTHLY: _("按月"), SEMIMONTHLY: _("按半月"), WEEKLY: _("按周")}.get(cycle, cycle)
