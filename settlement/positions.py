"""Reads of the fund position (总额预算, 结余留用, 综合绩效), shared by the pages and the API, scoped to the user: a
hospital sees its own rows, officials every hospital's, anyone else nothing. Each list is one query (its figures
are annotations, its months prefetched once), never a query per row."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.permissions import scope_to_organization

from .models import (
    BudgetAllocation,
    BudgetMonth,
    BudgetMonthSettlement,
    BudgetYearSettlement,
    HospitalScore,
    SavingsAward,
)
from .services.savings import reason_text

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=16, decimal_places=2))


def _month_sum(field: str) -> Coalesce:
    """Σ `field` of the allocation's hospital's monthly settlements in its year (a correlated subquery)."""
    rows = (
        BudgetMonthSettlement.objects.filter(hospital_id=OuterRef("hospital_id"), month__year=OuterRef("year"))
        .order_by()
        .values("hospital_id")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=DecimalField(max_digits=16, decimal_places=2)), ZERO)


def _latest(field: str) -> Subquery:
    rows = BudgetMonthSettlement.objects.filter(
        hospital_id=OuterRef("hospital_id"), month__year=OuterRef("year")
    ).order_by("-month")
    return Coalesce(Subquery(rows.values(field)[:1], output_field=DecimalField(max_digits=16, decimal_places=2)), ZERO)


def budgets_visible_to(user, *, year: int | None = None) -> QuerySet[BudgetAllocation]:
    """Budgets with what drew on them: claims, owed within the budget, paid, held, the open shortfall, the year-end
    fund share; months prefetched."""
    qs = scope_to_organization(BudgetAllocation.objects.all(), user, "hospital")
    if year:
        qs = qs.filter(year=year)
    year_end = BudgetYearSettlement.objects.filter(hospital_id=OuterRef("hospital_id"), year=OuterRef("year"))
    return (
        qs.select_related("hospital", "fund")
        .prefetch_related(Prefetch("months", queryset=BudgetMonth.objects.order_by("month")))
        .annotate(
            claims=_month_sum("claims"),
            owed=_month_sum("owed"),
            paid=_month_sum("paid"),
            withheld=_month_sum("withheld"),
            held=_latest("held"),
            shortfall=_latest("carried_out"),
            fund_share=Subquery(year_end.values("fund_share")[:1]),
            hospital_share=Subquery(year_end.values("hospital_share")[:1]),
        )
        .order_by("-year", "hospital__name")
    )


def month_settlements_visible_to(user, *, year: int | None = None) -> QuerySet[BudgetMonthSettlement]:
    qs = scope_to_organization(BudgetMonthSettlement.objects.select_related("hospital"), user, "hospital")
    if year:
        qs = qs.filter(month__year=year)
    return qs.order_by("-month", "hospital__name")


def year_settlements_visible_to(user) -> QuerySet[BudgetYearSettlement]:
    return scope_to_organization(BudgetYearSettlement.objects.select_related("hospital"), user, "hospital").order_by(
        "-year", "hospital__name"
    )


def savings_awards_visible_to(user) -> QuerySet[SavingsAward]:
    return scope_to_organization(SavingsAward.objects.select_related("hospital", "tender"), user, "hospital").order_by(
        "-tender__cycle_end", "hospital__name"
    )


def scores_visible_to(user, *, year: int | None = None) -> QuerySet[HospitalScore]:
    qs = scope_to_organization(HospitalScore.objects.select_related("hospital"), user, "hospital")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-score", "hospital__name")


def award_reasons(award: SavingsAward) -> list[str]:
    """The award's stored reasons in the reader's language."""
    return [reason_text(r) for r in award.reasons]
