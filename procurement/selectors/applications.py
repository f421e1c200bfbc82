"""Reads of listing applications (挂网申报): who sees which, the review queue's filters, and the price basis with
the linkage ceiling (common.rules.listings())."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from accounts.permissions import can, is_official
from catalog.models import Product
from common import rules
from common.money import quantize_unit_price

from .. import hooks
from ..models import ListingApplication

A = ListingApplication

QUEUE_FILTERS = ("status", "kind", "flagged", "q", "manufacturer")


def applications_visible_to(user) -> QuerySet[ListingApplication]:
    """Officials who review see every application except drafts; a manufacturer its own; anyone else nothing."""
    rows = ListingApplication.objects.select_related("product", "manufacturer", "listing", "reviewed_by")
    if is_official(user) and can(user, "listing.manage"):
        return rows.exclude(status=A.Status.DRAFT)
    if can(user, "listing.apply") and getattr(user, "organization_id", None):
        return rows.filter(manufacturer_id=user.organization_id)
    return rows.none()


def applications_filter(rows: QuerySet[ListingApplication], params) -> QuerySet[ListingApplication]:
    """The queue's filters: status, kind, flagged (above the linkage ceiling), q (product name or code, maker)."""
    status = params.get("status", "")
    if status in A.Status.values:
        rows = rows.filter(status=status)
    elif status == "open":
        rows = rows.filter(status__in=A.OPEN_STATUSES)
    kind = params.get("kind", "")
    if kind in A.Kind.values:
        rows = rows.filter(kind=kind)
    if params.get("flagged") in ("1", "true"):
        rows = rows.filter(above_ceiling=True)
    manufacturer = params.get("manufacturer", "")
    if manufacturer.isascii() and manufacturer.isdigit():
        rows = rows.filter(manufacturer_id=int(manufacturer))
    q = (params.get("q") or "").strip()[:100]
    if q:
        rows = rows.filter(
            Q(product__generic_name__icontains=q)
            | Q(product__trade_name__icontains=q)
            | Q(product__nhsa_code__icontains=q)
            | Q(manufacturer__name__icontains=q)
        )
    return rows


def _lowest(values: list[str]) -> Decimal | None:
    return min((Decimal(v) for v in values), default=None)


def price_basis(product: Product, *, on: date) -> dict:
    """Other provinces' prices and the national lowest (per minimum unit, from the pricing imports), their lowest,
    and the ceiling the linkage rule puts on an applied unit price (None: no ceiling — rule off or no basis)."""
    rule = rules.listings()
    basis = hooks.price_basis(product.pk, on=on, months=rule.basis_months)
    lowest_other = _lowest([row["unit_price"] for row in basis["other_provinces"]])
    national = Decimal(basis["national_lowest"]["unit_price"]) if basis["national_lowest"] else None
    candidates = {
        "other_provinces": [lowest_other],
        "national_lowest": [national],
        "both": [lowest_other, national],
        "off": [],
    }[rule.linkage]
    present = [c for c in candidates if c is not None]
    ceiling = quantize_unit_price(min(present) * rule.linkage_ratio) if present else None
    return {
        **basis,
        "lowest_other_province": str(lowest_other) if lowest_other is not None else None,
        "linkage": rule.linkage,
        "ratio": str(rule.linkage_ratio),
        "ceiling": str(ceiling) if ceiling is not None else None,
        "on": on.isoformat(),
    }
