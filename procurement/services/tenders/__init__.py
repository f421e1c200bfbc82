"""Volume-based tenders (带量采购): one module per use case, every public service importable from here.

* ``state`` — the tender's row lock and its status transitions (every step locks the tender row first, so a bid racing
  the deadline and the step closing bidding are ordered by the database; deadlines compared after the lock).
* ``lifecycle`` — create a tender with its lots and rules, start demand collection, cancel, the time-driven steps.
* ``demand`` — hospitals' demand reports (报量) during the window.
* ``bids`` — sealed bids: submit, replace, withdraw before the deadline.
* ``opening`` — the opening (开标): unseal, verify, compute comparison prices, mark invalid bids.
* ``awards`` — evaluation under the selection rules (procurement.evaluation) and the publication of awards,
  agreed volumes (commitments) and listings.
"""

from .awards import tender_award, tender_evaluate
from .bids import bid_replace, bid_submit, bid_withdraw
from .demand import (
    check_named_product,
    demand_report,
    demand_withdraw,
    ensure_demand_window,
    lot_products,
    parse_volume,
)
from .follow_on import tender_follow_on_create
from .imported import imported_results_confirm
from .lifecycle import (
    lot_add,
    parse_price,
    tender_cancel,
    tender_create,
    tender_create_with_lots,
    tender_refresh,
    tender_set_rules,
    tender_start_demand_collection,
    tenders_refresh_due,
)
from .opening import tender_open_bids

__all__ = [
    "imported_results_confirm",
    "tender_follow_on_create",
    "bid_replace",
    "bid_submit",
    "bid_withdraw",
    "check_named_product",
    "demand_report",
    "demand_withdraw",
    "ensure_demand_window",
    "lot_add",
    "lot_products",
    "parse_price",
    "parse_volume",
    "tender_award",
    "tender_cancel",
    "tender_create",
    "tender_create_with_lots",
    "tender_evaluate",
    "tender_open_bids",
    "tender_refresh",
    "tender_set_rules",
    "tender_start_demand_collection",
    "tenders_refresh_due",
]
