"""System checks of the settlement settings (`manage.py check`, and every start): a configured rule the database or
the law would refuse is reported at start, not when the first statement is built.

The prepayment floor: the database's CHECK constraints hold every fund's and every prepayment's rate at ≥ 30 %, the
national minimum (国办发〔2021〕2号), and a setting cannot change a CHECK at runtime. So
`SETTLEMENT_MIN_PREPAYMENT_RATE` may only raise the floor: a value below 0.30 (or above 1) is an error.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.checks import Error

from . import cycle

#: The national minimum prepayment share; the database's CHECK constraints (settlement.models) hold it.
LEGAL_MIN_PREPAYMENT_RATE = Decimal("0.30")
#: The claim day is a day of every month.
LAST_CLAIM_DAY = 28


def _rate_errors() -> list[Error]:
    value = settings.SETTLEMENT_MIN_PREPAYMENT_RATE
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not LEGAL_MIN_PREPAYMENT_RATE <= rate <= 1:
        return [
            Error(
                f"SETTLEMENT_MIN_PREPAYMENT_RATE = {value!r}: must be a number from 0.30 to 1",
                hint="30 % of the annual agreed amount is the national minimum (国办发〔2021〕2号), which the "
                "database's CHECK constraints hold; the setting can only raise it.",
                id="settlement.E001",
            )
        ]
    return []


def _day_errors() -> list[Error]:
    errors = []
    days = {
        "SETTLEMENT_PAYMENT_TERM_DAYS": (settings.SETTLEMENT_PAYMENT_TERM_DAYS, 1, 3650),
        "SETTLEMENT_CLAIM_DAY": (settings.SETTLEMENT_CLAIM_DAY, 1, LAST_CLAIM_DAY),
        "SETTLEMENT_CONFIRMATION_WORKING_DAYS": (settings.SETTLEMENT_CONFIRMATION_WORKING_DAYS, 1, 366),
        "SETTLEMENT_DUE_SOON_DAYS": (settings.SETTLEMENT_DUE_SOON_DAYS, 0, 366),
    }
    for name, (value, low, high) in days.items():
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors.append(
                Error(f"{name} = {value!r}: must be a whole number from {low} to {high}", id="settlement.E002")
            )
    return errors


def _cycle_errors() -> list[Error]:
    value = settings.SETTLEMENT_CYCLE
    if value not in cycle.CYCLES:
        return [
            Error(
                f"SETTLEMENT_CYCLE = {value!r}: must be one of {', '.join(cycle.CYCLES)}",
                hint="the statement cycle: a month, half a month (1st–15th, 16th–end) or an ISO week",
                id="settlement.E003",
            )
        ]
    return []


def settlement_rules_check(app_configs, **kwargs) -> list[Error]:
    return _rate_errors() + _day_errors() + _cycle_errors()
