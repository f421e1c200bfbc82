"""The payment standard of a product on the listing and catalog pages: `{% load payment_standards %}`, then
`{% payment_standard_cell product unit_price %}` in a table row (the standard per minimum unit, and what the patient
pays above it at that price) or `{% payment_standard_facts product %}` in a product's facts. Shown only to users who
may see standards (hospitals and officials); one indexed query per product."""

from __future__ import annotations

from django import template
from django.utils import timezone

from procurement.models import Listing

from .. import selectors

register = template.Library()


def _context(context, product, unit_price) -> dict:
    user = getattr(context.get("request"), "user", None)
    if user is None or not selectors.visible(user):
        return {"shown": False}
    standard = selectors.standard_for(product, timezone.localdate())
    return {
        "shown": True,
        "standard": standard,
        "excess": selectors.patient_excess(unit_price, standard),
        "min_unit": getattr(product, "min_unit", ""),
    }


@register.inclusion_tag("payment_standards/_cell.html", takes_context=True)
def payment_standard_cell(context, product, unit_price=None):
    return _context(context, product, unit_price)


@register.inclusion_tag("payment_standards/_facts.html", takes_context=True)
def payment_standard_facts(context, product):
    lowest = (
        Listing.objects.filter(product=product, status=Listing.Status.ACTIVE)
        .order_by("unit_price")
        .values_list("unit_price", flat=True)
        .first()
    )
    return {**_context(context, product, lowest), "listing_price": lowest}
