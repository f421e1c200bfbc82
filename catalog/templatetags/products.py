"""A product shown the one way every page shows it (catalog.identity).

{% load products %}
{% product line.product %}                     name, strength, form, pack and maker, the Mongolian name beside
{% product line.product maker=line.manufacturer %}   the maker the row holds (loaded with it)
{% product x.product show_maker=False %}       where the maker has its own column
{{ p|identity }}                               the same as one line of text (dropdown options, titles)
"""

from __future__ import annotations

from django import template

from catalog.identity import identity as identity_of
from catalog.identity import identity_of_row

register = template.Library()


@register.inclusion_tag("includes/product_identity.html")
def product(value, maker=None, show_maker=True):
    found = identity_of(value, maker=maker)
    return {"product": value, "identity": found, "maker": found.maker if show_maker and found else ""}


@register.filter
def identity(value, show_maker=True) -> str:
    """A product (or a row with a product: an order line, a listing) as one line of text."""
    found = identity_of_row(value)
    return found.text(maker=bool(show_maker)) if found is not None else ""
