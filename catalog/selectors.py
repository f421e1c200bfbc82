"""Reads of the catalog shared by API, pages, admin and exports (search is refined in this module)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Product


def products_visible_to(user) -> QuerySet[Product]:
    """The catalog is public to every signed-in user of the platform."""
    return Product.objects.select_related("manufacturer", "preparing_hospital")


def product_search(
    *,
    user,
    q: str = "",
    category: str | None = None,
    insurance_class: str | None = None,
    high_value: bool | None = None,
    shortage: bool | None = None,
    manufacturer_id: int | None = None,
    active: bool | None = True,
) -> QuerySet[Product]:
    qs = products_visible_to(user)
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(nhsa_code__istartswith=q)
            | Q(generic_name__icontains=q)
            | Q(trade_name__icontains=q)
            | Q(name_initials__startswith=q.lower())
            | Q(name_pinyin__startswith=q.lower())
        )
    if category:
        qs = qs.filter(category=category)
    if insurance_class is not None:
        qs = qs.filter(insurance_class=insurance_class)
    if high_value is not None:
        qs = qs.filter(high_value=high_value)
    if shortage is not None:
        qs = qs.filter(shortage=shortage)
    if manufacturer_id:
        qs = qs.filter(manufacturer_id=manufacturer_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("generic_name", "nhsa_code")
