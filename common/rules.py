"""The platform's business rules from national and provincial practice (DESIGN §10), in one place.

Every number a policy sets — the 30-day payment term, the claim day, the confirmation window, the prepayment share,
the order deadlines, the VBP selection thresholds and agreed shares, the price monitoring's thresholds — is read here, from settings (each with an
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
    #: The manufacturer files a period's claim by this day after the period — for the monthly cycle, this day of the
    #: next month (苏医保函〔2025〕147号: by the 5th).
    claim_day: int
    #: Working days the hospital has to confirm a claimed statement before it is deemed confirmed.
    confirmation_working_days: int
    #: A statement is "due soon" this many days before its payment deadline.
    due_soon_days: int
    #: The lowest prepayment share of a hospital's annual agreed amount the fund may set (国办发〔2021〕2号: ≥ 30 %).
    min_prepayment_rate: Decimal
    #: The statement cycle: monthly, semimonthly or weekly (settlement.cycle).
    cycle: str = "monthly"


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


@dataclass(frozen=True)
class TransparencyRules:
    """Public notice of results, objections and appeals — by analogy with 招标投标法实施条例 art. 54 and 60."""

    #: Days candidate results stay on public notice (公示期) before the awards may become final (art. 54: ≥ 3 days).
    #: 0: the platform holds no notice (awards right after evaluation; no objection can be filed).
    notice_days: int
    #: Days the official has to answer an objection (异议) (art. 54: within 3 days).
    answer_days: int
    #: Days the objector has to appeal (申诉) an answer to the supervisor (art. 60: complaint within 10 days).
    appeal_days: int


@dataclass(frozen=True)
class PriceRules:
    """Price monitoring (价格监测): the detectors' thresholds and the review's scope. The detectors' own defaults and
    the meaning of each parameter are in pricing.detectors (docs/pricing.md); pricing.checks refuses an unknown
    detector, parameter or signal kind and a value out of range at start."""

    #: Per detector name, parameters replacing its defaults (`{"enabled": False}` turns one off).
    detectors: dict[str, dict]
    #: Signal kinds that are legitimate by design (e.g. above a payment standard: the patient pays the difference):
    #: they inform an open case, never open one.
    informational_signals: frozenset[str]
    #: USCCs of leagues' agencies whose pricing officials handle only their league's cases.
    regional_agencies: frozenset[str]
    #: An incremental scan re-reads this many minutes behind the previous watermark (late commits).
    scan_overlap_minutes: int
    #: Without PostgreSQL's session lock, a running scan older than this many minutes is taken over.
    scan_stale_minutes: int


@dataclass(frozen=True)
class ListingRules:
    """挂网申报: price linkage of applied prices, and the qualification watch (docs/listings.md)."""

    #: What caps an applied price: "other_provinces", "national_lowest", "both" (the lower) or "off".
    linkage: str
    #: The ceiling is this × the basis price (1.00: may not exceed it).
    linkage_ratio: Decimal
    #: Other provinces' prices older than this many months are not part of the basis.
    basis_months: int
    #: Days before a qualification's expiry at which its holder is warned, e.g. (60, 30, 7).
    warning_days: tuple[int, ...]
    #: Largest document (licence scan, application attachment) accepted, in bytes.
    document_max_bytes: int


LINKAGE_BASES = ("other_provinces", "national_lowest", "both", "off")


@dataclass(frozen=True)
class PharmacyRules:
    """Pharmacies (定点零售药店) and negotiated drugs (谈判药): seed 000 “鼓励…药店参与集中招标采购”, seed 004
    “双通道”管理机制, seed 003 “持续监测谈判药挂网及医保报销情况” (docs/pharmacies.md)."""

    #: A pharmacy may order only national negotiated drugs whose agreement is in force on the day (双通道 practice).
    negotiated_only: bool
    #: The monitoring report marks an agreement that ends within this many days as expiring soon.
    expiring_days: int


def pharmacies() -> PharmacyRules:
    expiring = int(settings.NEGOTIATED_EXPIRING_DAYS)
    if expiring < 0:
        raise ImproperlyConfigured(f"NEGOTIATED_EXPIRING_DAYS must be ≥ 0, not {expiring}")
    return PharmacyRules(negotiated_only=bool(settings.PHARMACY_NEGOTIATED_ONLY), expiring_days=expiring)


def settlement() -> SettlementRules:
    return SettlementRules(
        payment_term_days=settings.SETTLEMENT_PAYMENT_TERM_DAYS,
        claim_day=settings.SETTLEMENT_CLAIM_DAY,
        confirmation_working_days=settings.SETTLEMENT_CONFIRMATION_WORKING_DAYS,
        due_soon_days=settings.SETTLEMENT_DUE_SOON_DAYS,
        min_prepayment_rate=Decimal(settings.SETTLEMENT_MIN_PREPAYMENT_RATE),
        cycle=settings.SETTLEMENT_CYCLE,
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


def transparency() -> TransparencyRules:
    return TransparencyRules(
        notice_days=int(settings.TENDER_NOTICE_DAYS),
        answer_days=int(settings.OBJECTION_ANSWER_DAYS),
        appeal_days=int(settings.APPEAL_DAYS),
    )


@dataclass(frozen=True)
class PatentMedicineDefaults:
    """The defaults of a patent-medicine (中成药 / 蒙成药) round's rules (provincial practice); each tender may set
    its own."""

    #: Eligible if the price is at least this much below the lot's 最高有效申报价 (a reduction of 0.20 = 20 %).
    min_reduction: Decimal
    #: At most this share of the valid bidders (rounded up, at least one) wins a lot.
    winner_share: Decimal


def patent_medicine_defaults() -> PatentMedicineDefaults:
    return PatentMedicineDefaults(
        min_reduction=Decimal(settings.TENDER_PATENT_MIN_REDUCTION),
        winner_share=Decimal(settings.TENDER_PATENT_WINNER_SHARE),
    )


def prices() -> PriceRules:
    return PriceRules(
        detectors={str(name): dict(params) for name, params in (settings.PRICE_DETECTORS or {}).items()},
        informational_signals=frozenset(settings.PRICE_INFORMATIONAL_SIGNALS),
        regional_agencies=frozenset(settings.PRICE_REVIEW_REGIONAL_AGENCIES),
        scan_overlap_minutes=int(settings.PRICE_SCAN_OVERLAP_MINUTES),
        scan_stale_minutes=int(settings.PRICE_SCAN_STALE_MINUTES),
    )


def listings() -> ListingRules:
    linkage = str(settings.LISTING_PRICE_LINKAGE)
    if linkage not in LINKAGE_BASES:
        raise ValueError(f"LISTING_PRICE_LINKAGE must be one of {LINKAGE_BASES}, not {linkage!r}")
    return ListingRules(
        linkage=linkage,
        linkage_ratio=Decimal(str(settings.LISTING_PRICE_LINKAGE_RATIO)),
        basis_months=int(settings.LISTING_PRICE_BASIS_MONTHS),
        warning_days=tuple(sorted({int(d) for d in settings.QUALIFICATION_WARNING_DAYS}, reverse=True)),
        document_max_bytes=int(settings.QUALIFICATION_DOCUMENT_MAX_BYTES),
    )


#: The choices of `PAYMENT_STANDARD_SELECTED_PRICE`: a group with several winners takes each winner's own awarded
#: price, the lowest or the highest as its "selected price".
@dataclass(frozen=True)
class BudgetRules:
    """总额预算, 结余留用 and 综合绩效 (seed 000: "医保基金总额控制下与医药机构直接结算…完善结余留用政策"; seed 001:
    "合理超支分担"; seeds 000/002: "综合绩效考评结果与预算管理…及医保基金的拨付相关联"). docs/budgets.md."""

    #: Over-spend up to this share of the year's budget is "reasonable" (合理超支): the fund bears part of it.
    overspend_band: Decimal
    #: The fund's share of the over-spend within the band; beyond the band the hospital bears all of it.
    overspend_fund_share: Decimal
    #: Retained savings are payable only when the agreed volumes were completed to at least this share …
    savings_min_completion: Decimal
    #: … and the non-selected products of the same lots stayed under this share of what the hospital bought.
    savings_max_substitution: Decimal
    #: Weights of the performance score's parts (completion, online_share, receipt_timeliness,
    #: statement_timeliness, substitution); they need not sum to 1 (normalised).
    score_weights: dict
    #: A receipt confirmed within this many days of its delivery is on time.
    receipt_on_time_days: int
    #: Scores at or above this raise the prepayment rate by `score_prepayment_bonus` and the retained-savings share
    #: by `score_savings_bonus`; below `score_low` both are lowered by the same steps (never under the 30 % floor).
    score_high: Decimal
    score_low: Decimal
    score_prepayment_bonus: Decimal
    score_savings_bonus: Decimal


SCORE_PARTS = ("completion", "online_share", "receipt_timeliness", "statement_timeliness", "substitution")


def budgets() -> BudgetRules:
    weights = {k: Decimal(str(v)) for k, v in settings.SCORE_WEIGHTS.items()}
    found = BudgetRules(
        overspend_band=Decimal(str(settings.BUDGET_OVERSPEND_BAND)),
        overspend_fund_share=Decimal(str(settings.BUDGET_OVERSPEND_FUND_SHARE)),
        savings_min_completion=Decimal(str(settings.SAVINGS_MIN_COMPLETION)),
        savings_max_substitution=Decimal(str(settings.SAVINGS_MAX_SUBSTITUTION)),
        score_weights=weights,
        receipt_on_time_days=int(settings.SCORE_RECEIPT_ON_TIME_DAYS),
        score_high=Decimal(str(settings.SCORE_HIGH)),
        score_low=Decimal(str(settings.SCORE_LOW)),
        score_prepayment_bonus=Decimal(str(settings.SCORE_PREPAYMENT_BONUS)),
        score_savings_bonus=Decimal(str(settings.SCORE_SAVINGS_BONUS)),
    )
    if (
        set(weights) != set(SCORE_PARTS)
        or any(w < 0 for w in weights.values())
        or not sum(weights.values())
        or not (0 <= found.overspend_band <= 1 and 0 <= found.overspend_fund_share <= 1)
        or not (0 <= found.savings_max_substitution <= 1)
    ):
        raise ImproperlyConfigured(f"budget rules out of range: {found}")
    return found


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


FOLLOW_ON_CAPS = ("highest_awarded", "lowest_awarded", "max_price")


@dataclass(frozen=True)
class NationalBatchRules:
    """Imported national and alliance batches and follow-on tenders (docs/national-batches.md)."""

    #: The names the result tables use for this province in a winner's supply provinces (供应省份).
    province_names: tuple[str, ...]
    #: Days of demand collection after an imported batch's results, before its agreed volumes are set.
    demand_days: int
    #: A follow-on tender's default price cap per lot (FOLLOW_ON_CAPS) …
    follow_on_cap: str
    #: … times this factor (1: not above it).
    follow_on_factor: Decimal


def national_batches() -> NationalBatchRules:
    rules = NationalBatchRules(
        province_names=tuple(str(n).strip() for n in settings.PLATFORM_PROVINCE_NAMES if str(n).strip()),
        demand_days=int(settings.NATIONAL_RESULTS_DEMAND_DAYS),
        follow_on_cap=str(settings.FOLLOW_ON_PRICE_CAP),
        follow_on_factor=Decimal(str(settings.FOLLOW_ON_CAP_FACTOR)),
    )
    if (
        not rules.province_names
        or rules.demand_days < 1
        or rules.follow_on_cap not in FOLLOW_ON_CAPS
        or rules.follow_on_factor <= 0
    ):
        raise ImproperlyConfigured(f"national batch rules out of range: {rules}")
    return rules
