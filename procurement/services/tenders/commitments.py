"""The agreed volumes (约定采购量) of a tender's awards, from its demand reports: shared by the platform's own awards
and the confirmation of an imported national or alliance batch's results (kept apart from both so neither imports
the other)."""

from __future__ import annotations

from collections import defaultdict

from ... import evaluation
from ...models import Award, Tender
from ...sql import awards as award_sql


def write_commitments(tender: Tender, rules, winners_by_lot: dict[int, list[tuple[evaluation.Winner, Award]]]) -> int:
    """The agreed volumes of the lots with winners (awards already written), from the tender's demand reports:
    reported × the share for the number of winners; a named winning brand keeps its hospitals, the other pooling
    regions are picked by the winners in rank order (`evaluation.pick_regions`). Returns how many were written.
    Shared by the platform's own awards and the confirmation of an imported batch's results."""
    shares = {lot_id: evaluation.agreed_share(rules, len(w)) for lot_id, w in winners_by_lot.items()}
    region_volumes: dict[int, dict[int, int]] = defaultdict(dict)
    named: dict[int, dict[int, int]] = defaultdict(dict)
    for lot_id, region_id, named_product_id, volume in award_sql.demand_region_volumes(tender.pk, shares):
        if named_product_id is None:
            region_volumes[lot_id][region_id] = volume
        else:
            named[lot_id][named_product_id] = named[lot_id].get(named_product_id, 0) + volume
    picks: dict[int, list[tuple[int, int, str]]] = {}
    for lot_id, volumes in region_volumes.items():
        winners = winners_by_lot[lot_id]
        already = [named[lot_id].get(w.product_id, 0) for w, _ in winners]
        picks[lot_id] = [
            (pick.region_id, winners[pick.winner_rank - 1][1].pk, evaluation.region_pick_text(pick))
            for pick in evaluation.pick_regions([w for w, _ in winners], volumes, rules, already)
        ]
    return award_sql.insert_commitments(tender=tender, shares=shares, picks=picks)
