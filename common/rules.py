"""The platform's business rules from national and provincial practice (DESIGN §10), in one place.

Every number a policy sets — the 30-day payment term, the claim day, the confirmation window, the prepayment share,
the order deadlines, the VBP selection thresholds and agreed shares — is read here, from settings (each with an
environment variable, docs/rules.md), at the time of use, so a test's `override_settings` and a deployment's
environment both take effect. A tender's own selection rules start from these defaults and may differ
(procurement.evaluation.SelectionRules); nothing else hard-codes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class SettlementRules:
    #: Days from acceptance at receipt to payment (国办发〔2021〕2号: 从交货验收合格到付款不得超过30天).
    payment_term_days: int
    #: The manufacturer files last month's claim by this day of the month (苏医保函〔2025〕147号: by the 5th).
    claim_day: int
    #: Working days the hospital has to confirm a claimed statement before it is deemed confirmed.
    confirmation_working_days: int
    #: A statement is "due soon" this many days before its payment deadline.
    due_soon_days: int
    #: The lowest prepayment share of a hospital's annual agreed amount the fund may set (国办发〔2021〕2号: ≥ 30 %).
    min_prepayment_rate: Decimal


@dataclass(frozen=True)
class OrderRules:
    #: Hours the distributor has to confirm or reject a submitted order.
    response_hours: int
    #: Hours from submission to delivery, normal and urgent.
    delivery_hours: int
    urgent_delivery_hours: int
    #: Lines one order may hold.
    max_lines: int


@dataclass(frozen=True)
class SelectionDefaults:
    """The defaults of a new tender's selection rules (7th national batch); each tender may set its own."""

    #: Eligible if price ≤ this × the lowest valid unit comparison price of the lot.
    ratio_to_lowest: Decimal
    #: Eligible if price ≤ the highest valid filing price × (1 − this).
    discount_from_max: Decimal
    #: Eligible if price ≤ this, in yuan per minimum unit.
    floor_price: Decimal
    #: At most this many winners per lot, by number of valid bidders: pairs (min bidders, max winners).
    max_winners_table: tuple[tuple[int, int], ...]
    #: Agreed share of the reported volume by number of winners: pairs (min winners, share).
    agreed_share_table: tuple[tuple[int, Decimal], ...]


def settlement() -> SettlementRules:
    return SettlementRules(
        payment_term_days=settings.SETTLEMENT_PAYMENT_TERM_DAYS,
        claim_day=settings.SETTLEMENT_CLAIM_DAY,
        confirmation_working_days=settings.SETTLEMENT_CONFIRMATION_WORKING_DAYS,
        due_soon_days=settings.SETTLEMENT_DUE_SOON_DAYS,
        min_prepayment_rate=Decimal(settings.SETTLEMENT_MIN_PREPAYMENT_RATE),
    )


def orders() -> OrderRules:
    return OrderRules(
        response_hours=settings.ORDER_RESPONSE_HOURS,
        delivery_hours=settings.ORDER_DELIVERY_HOURS,
        urgent_delivery_hours=settings.ORDER_URGENT_DELIVERY_HOURS,
        max_lines=settings.ORDER_MAX_LINES,
    )


def selection_defaults() -> SelectionDefaults:
    return SelectionDefaults(
        ratio_to_lowest=Decimal(settings.TENDER_RATIO_TO_LOWEST),
        discount_from_max=Decimal(settings.TENDER_DISCOUNT_FROM_MAX),
        floor_price=Decimal(settings.TENDER_FLOOR_PRICE),
        max_winners_table=tuple((int(k), int(v)) for k, v in settings.TENDER_MAX_WINNERS_TABLE),
        agreed_share_table=tuple((int(k), Decimal(v)) for k, v in settings.TENDER_AGREED_SHARE_TABLE),
    )


#: The choices of `PAYMENT_STANDARD_SELECTED_PRICE`: a group with several winners takes each winner's own awarded
#: price, the lowest or the highest as its "selected price".
SELECTED_PRICE_CHOICES = ("own", "lowest", "highest")


@dataclass(frozen=True)
class LinkageRules:
    """The payment-standard linkage of 医保发〔2019〕56号 for the tenders whose cycle starts in a year."""

    #: A non-selected product whose original standard is above this × the selected price is stepped down.
    ratio_threshold: Decimal
    #: … to this share of its original standard in the first year (never below the selected price) …
    first_year_rate: Decimal
    #: … and reaches the selected price after this many further years (the notice: 2–3 years).
    step_years: int
    #: own | lowest | highest (a provincial choice; see docs/payment-standards.md).
    selected_price: str


def payment_standard_linkage(year: int) -> LinkageRules:
    overrides = settings.PAYMENT_STANDARD_LINKAGE_BY_YEAR.get(str(year), {})
    values = {
        "ratio_threshold": settings.PAYMENT_STANDARD_RATIO_THRESHOLD,
        "first_year_rate": settings.PAYMENT_STANDARD_FIRST_YEAR_RATE,
        "step_years": settings.PAYMENT_STANDARD_STEP_YEARS,
        "selected_price": settings.PAYMENT_STANDARD_SELECTED_PRICE,
        **overrides,
    }
    rules = LinkageRules(
        ratio_threshold=Decimal(str(values["ratio_threshold"])),
        first_year_rate=Decimal(str(values["first_year_rate"])),
        step_years=int(values["step_years"]),
        selected_price=str(values["selected_price"]),
    )
    if (
        rules.selected_price not in SELECTED_PRICE_CHOICES
        or rules.step_years < 1
        or rules.ratio_threshold < 1
        or not (0 < rules.first_year_rate <= 1)
    ):
        raise ImproperlyConfigured(f"payment-standard linkage rules of {year} out of range: {rules}")
    return rules
