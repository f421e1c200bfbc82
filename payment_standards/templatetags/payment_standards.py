"""The payment standard of a product on the listing and catalog pages: `{% load payment_standards %}`, then
`{% payment_standard_cell product unit_price %}` in a table row (the standard per minimum unit, and what the patient
pays above it at that price) or `{% payment_standard_facts product %}` in a product's facts. Shown only to users who
may see standards (hospitals and officials).

A list loads its rows' standards in one query first — `{% payment_standards_for rows as standards %}` (rows are
listings, products, or dicts holding a `listing`) — and passes them on: `{% payment_standard_cell x.product
x.unit_price standards %}`. Without them, the cell costs one indexed query."""

from __future__ import annotations

from django import template
from django.utils import timezone

from procurement.models import Listing

from .. import selectors

register = template.Library()


def _shown(context) -> bool:
    user = getattr(context.get("request"), "user", None)
    return user is not None and selectors.visible(user)


def _product_id(row) -> int | None:
    if isinstance(row, dict):
        row = row.get("listing")
    return getattr(row, "product_id", None) or getattr(row, "pk", None)


@register.simple_tag(takes_context=True)
def payment_standards_for(context, rows) -> dict[int, object] | None:
    """The standards in force today of the rows' products, by product id, in one query (None when not shown)."""
    if not _shown(context):
        return None
    ids = {pk for pk in map(_product_id, rows) if pk is not None}
    return selectors.standards_for(ids, timezone.localdate())


def _context(context, product, unit_price, standards=None) -> dict:
    if not _shown(context):
        return {"shown": False}
    if standards is not None:
        standard = standards.get(getattr(product, "pk", product))
    else:
        standard = selectors.standard_for(product, timezone.localdate())
    return {
        "shown": True,
        "standard": standard,
        "excess": selectors.patient_excess(unit_price, standard),
        "min_unit": getattr(product, "min_unit", ""),
    }


@register.inclusion_tag("payment_standards/_cell.html", takes_context=True)
def payment_standard_cell(context, product, unit_price=None, standards=None):
    return _context(context, product, unit_price, standards)


@register.inclusion_tag("payment_standards/_facts.html", takes_context=True)
def payment_standard_facts(context, product):
    lowest = (
        Listing.objects.filter(product=product, status=Listing.Status.ACTIVE)
        .order_by("unit_price")
        .values_list("unit_price", flat=True)
        .first()
    )
    return {**_context(context, product, lowest), "listing_price": lowest}
