"""Consumable tenders (耗材带量采购): a kind of tender with its own rules, on the shared lifecycle and sealed bids.

* ``setup`` — the tender's rules from a batch's preset (``consumable_rules_set``) and each lot's bid unit, pricing
  and product system (``consumable_lot_configure``).
* ``registration`` — ``registration_ok(product, on)``: the one place that says whether a product has a valid
  registration certificate (注册证) on a date.
* ``products`` — which products a consumable lot takes.
* ``demand`` — hospitals' intended volume per product (意向采购量 by brand).
* ``bids`` — sealed bids per registration certificate or per product system.
* ``evaluation`` — the selection under the tender's rules (called by ``tender_evaluate``).

Reference: docs/consumables.md.
"""

from .bids import Component, consumable_bid_submit
from .demand import consumable_demand_report
from .evaluation import consumable_tender_evaluate
from .products import lot_consumable_products, lot_setup, product_problem
from .registration import registration_ok, registration_problem
from .setup import consumable_lot_configure, consumable_rules, consumable_rules_set, ensure_consumable_tender

__all__ = [
    "Component",
    "consumable_bid_submit",
    "consumable_demand_report",
    "consumable_lot_configure",
    "consumable_rules",
    "consumable_rules_set",
    "consumable_tender_evaluate",
    "ensure_consumable_tender",
    "lot_consumable_products",
    "lot_setup",
    "product_problem",
    "registration_ok",
    "registration_problem",
]
