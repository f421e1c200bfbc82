"""带量采购评审（开标后确定中选）与约定采购量分配 — pure functions, no ORM, no I/O.

Everything here takes and returns plain frozen dataclasses (Decimal, int, str, datetime), each with
``to_dict()`` / ``from_dict()``, so a service can store the inputs and the result side by side and an
official can later read, for every bid, why it was or was not selected.

Sources (DESIGN.md §10; the tender's own document may change any number, hence ``SelectionRules``):

* 7th national batch (第七批国家组织药品集采) selection rules:
  a valid bid may be selected (入围) if its unit comparison price (单位可比价) is
  ≤ 1.8 × the lowest unit comparison price of the lot, or ≥ 50% below the highest valid filing price
  (最高有效申报价), or ≤ ¥0.10 per unit; the highest price among the eligible bids may not win; at most
  10 winners per lot. Winners choose supply regions in rank order, lowest price first, one per round.
* Agreed volume (约定采购量): a share of the volume hospitals report, 50/60/70/80% by the number of
  winners in the earlier batches *(practice)*; a named brand that loses is supplied by the region's
  primary winner.

Prices are compared per minimum unit of the lot's reference strength; the caller converts each product's
price with its 差比价 factor first (see ``comparison_price``). Quantities are integers in minimum units.

The numbers above are the defaults (``common.rules.selection_defaults()``, docs/rules.md); each tender stores its own.

Modules
-------
* ``rules`` — ``SelectionRules`` (defaults from settings), ``default_rules``, ``max_winners``, ``comparison_price``.
* ``inputs`` — what the selection reads and writes: ``LotInput``, ``BidInput``, ``BidOutcome``, ``LotEvaluation``,
  ``OutcomeStatus``, ``Criterion``.
* ``selection`` — validity, eligibility, the highest-price rule, ranking: ``evaluate_lot``, ``evaluate_tender``.
* ``regions`` — ``Winner``, ``RegionPick``, ``pick_regions`` (winners choose supply regions in rank order).
* ``patent_medicine`` — the rule set of patent-medicine rounds (中成药 / 蒙成药: price reductions, provincial
  practice): ``PatentMedicineRules``, ``evaluate_patent_lot``.
* ``rule_sets`` — which rule set a tender's stored rules name: ``rules_from_dict``, ``evaluate_by_rules``,
  ``describe_rules``.
* ``allocation`` — ``agreed_share``, ``agreed_volume``, ``Demand``, ``Allocation``, ``allocate`` and the reason texts
  the set-based writer (procurement.sql.awards) repeats.

Everything public is importable from ``procurement.evaluation`` itself.
"""

from .allocation import (
    REASON_NAMED_LOST,
    REASON_NAMED_WON,
    REASON_UNNAMED,
    REASON_ZERO,
    Allocation,
    Demand,
    agreed_share,
    agreed_volume,
    allocate,
    share_percent_text,
)
from .inputs import (
    INVALID_ABOVE_MAX,
    INVALID_NOT_POSITIVE,
    BidInput,
    BidOutcome,
    Criterion,
    LotEvaluation,
    LotInput,
    OutcomeStatus,
)
from .patent_medicine import PATENT_MEDICINE, PatentMedicineRules, evaluate_patent_lot
from .regions import RegionPick, Winner, pick_regions, region_pick_text
from .rule_sets import CHEMICAL, describe_rules, evaluate_by_rules, rule_set_of, rules_from_dict
from .rules import EXAMPLE_SLIDING_MAX_WINNERS_TABLE, SelectionRules, comparison_price, default_rules, max_winners
from .selection import evaluate_lot, evaluate_tender

__all__ = [
    "CHEMICAL",
    "PATENT_MEDICINE",
    "PatentMedicineRules",
    "describe_rules",
    "evaluate_by_rules",
    "evaluate_patent_lot",
    "rule_set_of",
    "rules_from_dict",
    "EXAMPLE_SLIDING_MAX_WINNERS_TABLE",
    "INVALID_ABOVE_MAX",
    "INVALID_NOT_POSITIVE",
    "REASON_NAMED_LOST",
    "REASON_NAMED_WON",
    "REASON_UNNAMED",
    "REASON_ZERO",
    "Allocation",
    "BidInput",
    "BidOutcome",
    "Criterion",
    "Demand",
    "LotEvaluation",
    "LotInput",
    "OutcomeStatus",
    "RegionPick",
    "SelectionRules",
    "Winner",
    "agreed_share",
    "agreed_volume",
    "allocate",
    "comparison_price",
    "default_rules",
    "evaluate_lot",
    "evaluate_tender",
    "max_winners",
    "pick_regions",
    "region_pick_text",
    "share_percent_text",
]
