"""Agreed volumes (约定采购量): the share by number of winners, and each hospital's allocation for a lot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext

from ._values import _fmt_plain, _lookup, _to_decimal, _to_int
from .regions import RegionPick, Winner, pick_regions, region_pick_text
from .rules import SelectionRules, default_rules


def agreed_share(rules: SelectionRules, winners: int) -> Decimal:
    """约定采购比例 for a lot with ``winners`` winners, from ``rules.agreed_share_table``
    (default 1 → 0.50, 2 → 0.60, 3 → 0.70, 4 or more → 0.80)."""
    if isinstance(winners, bool) or not isinstance(winners, int) or winners < 1:
        raise ValueError(gettext("中选企业数 %(winners)s 须至少为 1") % {"winners": winners})
    return _lookup(rules.agreed_share_table, winners)


def agreed_volume(reported_volume: int, share: Decimal) -> int:
    """Agreed volume = reported volume × share, rounded half-up to a whole minimum unit (2.5 → 3)."""
    return int((Decimal(reported_volume) * share).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Demand:
    """报量: a hospital's reported annual volume for the lot (minimum units), optionally naming a product."""

    hospital_id: int
    region_id: int
    reported_volume: int
    named_product_id: int | None = None

    def __post_init__(self) -> None:
        _to_int(self.reported_volume, "reported_volume")
        if self.reported_volume < 0:
            raise ValueError(
                gettext("医疗机构 %(hospital_id)s 的报量 %(reported_volume)s 不能为负")
                % {"hospital_id": self.hospital_id, "reported_volume": self.reported_volume}
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "hospital_id": self.hospital_id,
            "region_id": self.region_id,
            "reported_volume": self.reported_volume,
            "named_product_id": self.named_product_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Demand:
        return cls(data["hospital_id"], data["region_id"], data["reported_volume"], data.get("named_product_id"))


@dataclass(frozen=True)
class Allocation:
    """约定采购量 of one hospital for the lot: which product, from which manufacturer, how much, and why."""

    hospital_id: int
    product_id: int
    manufacturer_id: int
    agreed_volume: int
    reason: str
    lot_id: int
    region_id: int
    reported_volume: int
    share: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "hospital_id": self.hospital_id,
            "product_id": self.product_id,
            "manufacturer_id": self.manufacturer_id,
            "agreed_volume": self.agreed_volume,
            "reason": self.reason,
            "lot_id": self.lot_id,
            "region_id": self.region_id,
            "reported_volume": self.reported_volume,
            "share": str(self.share),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Allocation:
        return cls(**{**data, "share": _to_decimal(data["share"], "share")})


#: same text in SQL from them, so both paths explain an allocation in the same words.
REASON_NAMED_WON = "指定中选产品，由该产品供应"
REASON_NAMED_LOST = "指定产品未中选，由本统筹区主供企业供应"
REASON_UNNAMED = "未指定产品，由本统筹区主供企业供应"
REASON_ZERO = "（报量为 0，约定采购量为 0）"


def share_percent_text(share: Decimal) -> str:
    return f"{_fmt_plain(share * 100)}%"


def allocate(
    lot_id: int,
    winners: Sequence[Winner],
    demands: Sequence[Demand],
    rules: SelectionRules | None = None,
) -> list[Allocation]:
    """约定采购量 of each hospital for one lot; one ``Allocation`` per demand, in the order of ``demands``.

    * Share: ``agreed_share(rules, len(winners))``; agreed volume = reported × share rounded half-up to
      an integer (``agreed_volume``), per hospital.
    * A hospital that named a winning product gets that product.
    * Every other hospital (no product named, or a losing product named) is supplied by its region's
      primary winner, chosen by ``pick_regions`` over the regions' unassigned agreed volume; a named
      losing product gets the reason “指定产品未中选，由本统筹区主供企业供应”.
    * A zero reported volume gives an allocation of 0 (kept, not skipped: the hospital took part and its
      commitment row, with its product, is still recorded).
    * ``winners`` must be in rank order (``LotEvaluation.winner_ids``); capacity is used only to skip
      winners in the region picks, never to cut a named hospital's volume.
    """
    rules = rules or default_rules()
    if not winners:
        if demands:
            raise ValueError(gettext("品种 %(lot_id)s 无中选企业，无法分配约定采购量") % {"lot_id": lot_id})
        return []
    rank_by_product = _rank_by_product(lot_id, winners)
    _check_one_demand_per_hospital(lot_id, demands)

    share = agreed_share(rules, len(winners))
    share_text = share_percent_text(share)
    volumes = [agreed_volume(d.reported_volume, share) for d in demands]
    picks = _region_picks(winners, demands, volumes, rank_by_product, rules)

    allocations: list[Allocation] = []
    for demand, volume in zip(demands, volumes, strict=True):
        winner, reason = _supplier(demand, winners, rank_by_product, picks)
        reason += f"；约定采购量 = 报量 {demand.reported_volume} × {share_text}，四舍五入取整 = {volume}"
        if demand.reported_volume == 0:
            reason += REASON_ZERO
        allocations.append(
            Allocation(
                hospital_id=demand.hospital_id,
                product_id=winner.product_id,
                manufacturer_id=winner.manufacturer_id,
                agreed_volume=volume,
                reason=reason,
                lot_id=lot_id,
                region_id=demand.region_id,
                reported_volume=demand.reported_volume,
                share=share,
            )
        )
    return allocations


def _rank_by_product(lot_id: int, winners: Sequence[Winner]) -> dict[int, int]:
    """Winning product → its index in ``winners``; a product may win once."""
    rank_by_product: dict[int, int] = {}
    for i, winner in enumerate(winners):
        if winner.product_id in rank_by_product:
            raise ValueError(
                gettext("品种 %(lot_id)s 的中选产品 %(product_id)s 重复")
                % {"lot_id": lot_id, "product_id": winner.product_id}
            )
        rank_by_product[winner.product_id] = i
    return rank_by_product


def _check_one_demand_per_hospital(lot_id: int, demands: Sequence[Demand]) -> None:
    hospitals: set[int] = set()
    for demand in demands:
        if demand.hospital_id in hospitals:
            raise ValueError(
                gettext("品种 %(lot_id)s 中医疗机构 %(hospital_id)s 报量重复")
                % {"lot_id": lot_id, "hospital_id": demand.hospital_id}
            )
        hospitals.add(demand.hospital_id)


def _named_winner(demand: Demand, rank_by_product: Mapping[int, int]) -> int | None:
    """Index of the winning product the hospital named, or None (nothing named, or a losing product)."""
    if demand.named_product_id is None:
        return None
    return rank_by_product.get(demand.named_product_id)


def _region_picks(
    winners: Sequence[Winner],
    demands: Sequence[Demand],
    volumes: Sequence[int],
    rank_by_product: Mapping[int, int],
    rules: SelectionRules,
) -> dict[int, RegionPick]:
    """Region → its primary winner's pick, over the volume no named winning product takes; the named volume counts
    towards each winner's capacity."""
    named_allocated = [0] * len(winners)
    region_volumes: dict[int, int] = {}
    for demand, volume in zip(demands, volumes, strict=True):
        named = _named_winner(demand, rank_by_product)
        if named is not None:
            named_allocated[named] += volume
        else:
            region_volumes[demand.region_id] = region_volumes.get(demand.region_id, 0) + volume
    return {pick.region_id: pick for pick in pick_regions(winners, region_volumes, rules, named_allocated)}


def _supplier(
    demand: Demand, winners: Sequence[Winner], rank_by_product: Mapping[int, int], picks: Mapping[int, RegionPick]
) -> tuple[Winner, str]:
    """Who supplies the hospital, and the first part of the reason why."""
    named = _named_winner(demand, rank_by_product)
    if named is not None:
        return winners[named], REASON_NAMED_WON
    pick = picks[demand.region_id]
    how = region_pick_text(pick)
    reason = REASON_NAMED_LOST if demand.named_product_id is not None else REASON_UNNAMED
    return winners[pick.winner_rank - 1], f"{reason}（{how}）"
