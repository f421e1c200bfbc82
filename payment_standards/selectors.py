"""Reads of payment standards: the standard in force for a product on a day (what the price detectors and the
listing pages use), a year's standards and the review of its drafts against what is in force."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery

from accounts.permissions import can

from .models import PaymentStandard, Publication

PS = PaymentStandard


def in_force(on: datetime.date) -> QuerySet[PaymentStandard]:
    """The published standards of the year of `on` (a standard holds for its calendar year)."""
    return PS.objects.filter(status=PS.Status.PUBLISHED, year=on.year)


def standard_for(product, on: datetime.date) -> Decimal | None:
    """The published payment standard of a product (or product id) per minimum unit on a day, or None.

    Only published rows count: a draft is not in force until an official publishes its year."""
    product_id = getattr(product, "pk", product)
    return in_force(on).filter(product_id=product_id).values_list("standard", flat=True).first()


def standards_for(product_ids, on: datetime.date) -> dict[int, Decimal]:
    """`standard_for` of many products in one query."""
    return dict(in_force(on).filter(product_id__in=list(product_ids)).values_list("product_id", "standard"))


def patient_excess(unit_price: Decimal | None, standard: Decimal | None) -> Decimal | None:
    """What the patient pays above the standard per minimum unit (listing price − standard), when positive."""
    if unit_price is None or standard is None or unit_price <= standard:
        return None
    return unit_price - standard


def visible(user) -> bool:
    return can(user, "payment_standard.view")


def year_standards(year: int, *, status: str | None = None) -> QuerySet[PaymentStandard]:
    qs = PS.objects.filter(year=year).select_related("product", "product__manufacturer", "lot")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("product__generic_name", "product_id", "status")


def review(year: int) -> QuerySet[PaymentStandard]:
    """The year's drafts, each with what it would replace: the year's published standard of the product, or else the
    previous year's (`previous`, `previous_year`)."""
    published = PS.objects.filter(product_id=OuterRef("product_id"), status=PS.Status.PUBLISHED, year__lte=year)
    latest = published.order_by("-year")
    return (
        year_standards(year, status=PS.Status.DRAFT)
        .annotate(
            previous=Subquery(latest.values("standard")[:1]),
            previous_year=Subquery(latest.values("year")[:1]),
        )
        .order_by("product__generic_name", "product_id")
    )


def years() -> list[dict]:
    """Per year: published and draft counts, newest first."""
    rows: dict[int, dict] = {}
    counted = (
        PS.objects.exclude(status=PS.Status.SUPERSEDED).values("year", "status").annotate(n=Count("pk")).order_by()
    )
    for row in counted:
        rows.setdefault(row["year"], {"year": row["year"], "published": 0, "draft": 0})[row["status"]] = row["n"]
    return sorted(rows.values(), key=lambda r: -r["year"])


def publications(year: int) -> QuerySet[Publication]:
    return Publication.objects.filter(year=year).select_related("published_by")
