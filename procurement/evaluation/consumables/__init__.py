"""Selection rules of consumable tenders (耗材带量采购评审) — pure functions, no ORM, no I/O.

Kept apart from the drug rules (``procurement.evaluation``): a consumable lot has no ¥0.10 floor and no strength
ratio (差比价); bids are per registration certificate (注册证) or per product system, priced per unit or per system;
the bidders may compete in groups A and B formed by the hospitals' intended volume; a batch may revive (复活) a bid
whose bidder accepts a given price. The published rules of real batches are ``PRESETS`` (sources in each preset and
in docs/consumables.md).

Why no set-based SQL version: the drug path's SQL (procurement.sql.awards) is the commitments' allocation, one row
per hospital and lot; the selection itself is Python there too, over a few bids per lot. The consumable selection
is the same size (tens of bids per lot) and its awards reuse that same SQL allocation, so this module is the rule's
only implementation and its specification.

Modules: ``rules`` (ConsumableRules, PRESETS), ``grouping`` (groups A/B), ``selection`` (evaluate a lot).
"""

from .grouping import Bidder, Groups, split_ab
from .rules import PRESETS, ConsumableRules, Grouping, Preset, RevivalPrice
from .selection import (
    PRICE_LINE,
    RATIO,
    REVIVAL,
    SHARE_OF_MAX,
    ConsumableBidInput,
    ConsumableLotEvaluation,
    ConsumableLotInput,
    ConsumableOutcome,
    evaluate_consumable_lot,
    evaluate_consumable_tender,
)

__all__ = [
    "PRESETS",
    "PRICE_LINE",
    "RATIO",
    "REVIVAL",
    "SHARE_OF_MAX",
    "Bidder",
    "ConsumableBidInput",
    "ConsumableLotEvaluation",
    "ConsumableLotInput",
    "ConsumableOutcome",
    "ConsumableRules",
    "Groups",
    "Grouping",
    "Preset",
    "RevivalPrice",
    "evaluate_consumable_lot",
    "evaluate_consumable_tender",
    "split_ab",
]
