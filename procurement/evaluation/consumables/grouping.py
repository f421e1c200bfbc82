"""Groups A and B by intended volume (意向采购量), as the national artificial-joint batch forms its 竞价单元.

Rule (国家组织人工关节集中带量采购公告（第1号）, 2021): within a product system category, the bidders (申报企业, all
their product systems of the category merged) are ranked by the hospitals' intended volume, largest first; those
"covered" by the first 85 % of the cumulative volume enter group A if they also meet the batch's other conditions
(commit to supply every region of the alliance; the material condition) — ``qualified`` here. If group A has fewer
than 7 bidders, qualified bidders are added in volume order until it has 7 (or until none is left). Everyone
else is in group B.

"Covered by the first 85 %" is read as: a bidder is covered when the volume of the bidders ranked before it is
below 85 % of the total — the bidder whose volume crosses the line is in. Ties in volume are broken by the
bidder's id, so the result never depends on input order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Bidder:
    """A bidder of a lot as the grouping sees it: its intended volume and whether it is qualified for group A."""

    manufacturer_id: int
    volume: int
    qualified_for_a: bool = True


@dataclass(frozen=True)
class Groups:
    a: frozenset[int]
    b: frozenset[int]
    covered: frozenset[int]  # the bidders the cumulative-share line covers (before qualification and top-up)
    topped_up: frozenset[int]  # qualified bidders added to reach the minimum size of group A

    def of(self, manufacturer_id: int) -> str:
        return "A" if manufacturer_id in self.a else "B"


def _ranked(bidders: Iterable[Bidder]) -> list[Bidder]:
    return sorted(bidders, key=lambda b: (-b.volume, b.manufacturer_id))


def split_ab(bidders: Iterable[Bidder], *, share: Decimal, minimum: int) -> Groups:
    """Groups A and B of one lot's bidders (each manufacturer once; volumes ≥ 0)."""
    ranked = _ranked(bidders)
    total = sum(b.volume for b in ranked)
    line = Decimal(total) * share
    covered: list[int] = []
    before = 0
    for bidder in ranked:
        if total == 0 or Decimal(before) >= line:
            break
        covered.append(bidder.manufacturer_id)
        before += bidder.volume
    qualified = {b.manufacturer_id for b in ranked if b.qualified_for_a}
    a = [m for m in covered if m in qualified]
    topped: list[int] = []
    for bidder in ranked:
        if len(a) >= minimum:
            break
        if bidder.qualified_for_a and bidder.manufacturer_id not in a:
            a.append(bidder.manufacturer_id)
            topped.append(bidder.manufacturer_id)
    a_set = frozenset(a)
    return Groups(
        a=a_set,
        b=frozenset(b.manufacturer_id for b in ranked) - a_set,
        covered=frozenset(covered),
        topped_up=frozenset(topped),
    )
