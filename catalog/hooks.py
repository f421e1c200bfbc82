"""Extension points other apps plug into, so catalog never imports the apps built on it (catalog ← pricing).

- `product_warning_providers`: callables `(product_ids, html=False) -> {product_id: [message, …]}` giving the
  warnings to show beside products (the pricing app's credit records register one: a company with an active 一般/中等
  record); with `html=True`, each a page's markup (names marked as data, common.markup), else plain text.
  `product_warnings` merges them for the product page, the ordering search and the product API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

product_warning_providers: list[Callable] = []


def register_product_warnings(func: Callable) -> Callable:
    if func not in product_warning_providers:
        product_warning_providers.append(func)
    return func


def product_warnings(product_ids: Iterable[int], *, html: bool = False) -> dict[int, list[str]]:
    """product id → the warnings every registered provider gives for it (products without one are left out); `html`:
    for a page (names marked as data), else plain text (the API)."""
    ids = sorted({int(pk) for pk in product_ids})
    merged: dict[int, list[str]] = {}
    if not ids:
        return merged
    for provider in product_warning_providers:
        for pk, messages in (provider(ids, html=html) or {}).items():
            merged.setdefault(pk, []).extend(messages)
    return merged
