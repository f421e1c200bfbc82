"""The winners' choice of supply regions (统筹区), in rank order, lowest price first — as in the national batches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from ._values import _to_decimal
from .inputs import BidOutcome
from .rules import SelectionRules, default_rules


@dataclass(frozen=True)
class Winner:
    """A selected bid as the allocation needs it, in rank order. ``supply_capacity`` in minimum units for
    the cycle; ``None`` means not declared (never skipped for capacity)."""

    manufacturer_id: int
    product_id: int
    awarded_price: Decimal
    supply_capacity: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "awarded_price", _to_decimal(self.awarded_price, "awarded_price"))

    @classmethod
    def from_outcome(cls, outcome: BidOutcome, *, awarded_price: Decimal) -> Winner:
        """The awarded price is per the product's own minimum unit, which the caller knows (the outcome
        only holds the comparison price)."""
        return cls(outcome.manufacturer_id, outcome.product_id, awarded_price, outcome.supply_capacity)

    def to_dict(self) -> dict[str, Any]:
        return {
            "manufacturer_id": self.manufacturer_id,
            "product_id": self.product_id,
            "awarded_price": str(self.awarded_price),
            "supply_capacity": self.supply_capacity,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Winner:
        return cls(data["manufacturer_id"], data["product_id"], data["awarded_price"], data.get("supply_capacity"))


@dataclass(frozen=True)
class RegionPick:
    """One region chosen by a winner: in round ``round_no``, the winner ranked ``winner_rank`` took
    ``region_id`` with ``volume`` unassigned agreed volume. ``capacity_waived`` is True when every winner
    had reached its capacity and the pick went on in rank order regardless."""

    region_id: int
    round_no: int
    winner_rank: int
    manufacturer_id: int
    product_id: int
    volume: int
    capacity_waived: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "region_id": self.region_id,
            "round_no": self.round_no,
            "winner_rank": self.winner_rank,
            "manufacturer_id": self.manufacturer_id,
            "product_id": self.product_id,
            "volume": self.volume,
            "capacity_waived": self.capacity_waived,
        }


def pick_regions(
    winners: Sequence[Winner],
    region_volumes: Mapping[int, int],
    rules: SelectionRules | None = None,
    already_allocated: Sequence[int] | None = None,
) -> list[RegionPick]:
    """Winners choose supply regions in rank order, as in the national batches (lowest price first).

    Round-robin: in each round every winner, in rank order, takes one region, until every region is
    taken. Each takes the unpicked region with the largest unassigned volume (ties: smaller region id) —
    the platform's stand-in for the winner's own choice. A region with only zero-volume demand is still
    picked (last), so every hospital has a primary winner.

    With ``rules.respect_supply_capacity``, a winner whose allocated volume (``already_allocated`` —
    named-product volume — plus regions picked so far) has reached its declared capacity is skipped
    in later picks; reached rather than exceeded, since any further region would take it over. If every
    winner is skipped, the remaining regions are still picked in rank order (someone must supply them),
    marked ``capacity_waived``.
    """
    rules = rules or default_rules()
    if not winners:
        raise ValueError(gettext("无中选企业，无法选择供应统筹区"))
    allocated = list(already_allocated) if already_allocated is not None else [0] * len(winners)
    if len(allocated) != len(winners):
        raise ValueError(gettext("already_allocated 须与中选企业一一对应"))
    order = sorted(region_volumes, key=lambda region_id: (-region_volumes[region_id], region_id))

    def at_capacity(i: int) -> bool:
        capacity = winners[i].supply_capacity
        return rules.respect_supply_capacity and capacity is not None and allocated[i] >= capacity

    picks: list[RegionPick] = []
    next_region = 0
    round_no = 0
    waived = False
    while next_region < len(order):
        round_no += 1
        picked = False
        for i, winner in enumerate(winners):
            if next_region >= len(order):
                break
            if not waived and at_capacity(i):
                continue
            region_id = order[next_region]
            next_region += 1
            volume = region_volumes[region_id]
            allocated[i] += volume
            picks.append(
                RegionPick(region_id, round_no, i + 1, winner.manufacturer_id, winner.product_id, volume, waived)
            )
            picked = True
        if not picked:  # everybody is at capacity: redo this round without the capacity rule
            round_no -= 1
            waived = True
    return picks


#: The parts of an allocation's reason; the set-based writer of commitments (procurement.services) builds the


def region_pick_text(pick: RegionPick) -> str:
    how = f"第 {pick.round_no} 轮由中选顺位第 {pick.winner_rank} 的企业选定本统筹区"
    if pick.capacity_waived:
        how += "（各中选企业均已达申报供应能力，仍按顺位选择）"
    return how
