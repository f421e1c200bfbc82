"""Demo fund position (总额预算, 综合绩效): eight hospitals' budgets of last year and this year, their monthly claims
(imported as the insurance information platform's file would be), every ended month settled against the budget,
last year settled at year end — one hospital within the reasonable over-spend band, one beyond it — and this year's
performance scores. Runs after the settlement demo; a second run changes nothing (it stops when budgets exist)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organization, User

from . import yearend
from .generation import fund_for_hospital, next_month
from .models import BudgetAllocation
from .services import budgets, scores

# Claims as a share of the budget, per demo hospital: under, within the 10 % band, beyond it.
CLAIM_FACTORS = [Decimal(f) for f in ("0.92", "0.97", "1.05", "1.15", "0.88", "1.02", "1.08", "0.95")]
# A winter-heavy year: the months' shares of the yearly budget (sum 1.2 → scaled).
SEASON = [Decimal(s) for s in ("1.2", "1.1", "1.0", "0.95", "0.9", "0.9", "0.95", "0.95", "1.0", "1.0", "1.05", "1.2")]


def _months(total: Decimal) -> list[Decimal]:
    weight = sum(SEASON)
    amounts = [(total * s / weight).quantize(Decimal("0.01")) for s in SEASON]
    amounts[-1] += total - sum(amounts)
    return amounts


def seed(fund_user: User | None, suspended: set[tuple[int, date]] = frozenset()) -> str:
    """`suspended`: (hospital id, month) whose claims were not accepted (the hospital's insurance settlement suspended
    that month): left out of the claims file."""
    if fund_user is None:
        return "缺少基金经办用户，跳过预算演示"
    if BudgetAllocation.objects.exists():
        return "预算已存在"
    hospitals = list(
        Organization.objects.filter(kind=Organization.Kind.HOSPITAL, region__isnull=False, uscc__isnull=False)
        .select_related("region")
        .order_by("pk")[: len(CLAIM_FACTORS)]
    )
    today = timezone.localdate()
    last_year, this_year = today.year - 1, today.year
    claims = []
    for n, (hospital, factor) in enumerate(zip(hospitals, CLAIM_FACTORS, strict=False)):
        total = Decimal(6_000_000 + 1_500_000 * n)
        for year in (last_year, this_year):
            months = _months(total)
            budgets.budget_set(hospital_id=hospital.pk, year=year, months=months, by=fund_user)
            for m, amount in enumerate(months, start=1):
                if year == this_year and m >= today.month:
                    break
                if (hospital.pk, date(year, m, 1)) in suspended:
                    continue
                claims.append(
                    {
                        "医疗机构代码": hospital.uscc,
                        "月份": f"{year}-{m:02d}",
                        "申报金额": (amount * factor).quantize(Decimal("0.01")),
                    }
                )
    budgets.claims_import(rows=claims, file_name="医保结算申报-演示.xlsx", by=fund_user)
    funds = {fund_for_hospital(h).pk: fund_for_hospital(h) for h in hospitals}
    settled = 0
    month = today.replace(year=last_year, month=1, day=1)
    while next_month(month) <= today:
        for fund in funds.values():
            settled += len(budgets.budget_month_settle(fund=fund, month=month, by=fund_user))
        if month.month == 12:
            for fund in funds.values():
                yearend.settle_year(fund=fund, year=last_year, by=fund_user)
        month = next_month(month)
    scored = scores.hospital_scores_compute(year=this_year, by=fund_user)
    return f"；{len(hospitals)} 家医疗机构两年总额预算，{settled} 次月度拨付，{last_year} 年度清算，{len(scored)} 家综合绩效"
