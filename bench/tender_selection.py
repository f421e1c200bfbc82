"""The selection rules over a province-size tender, next to a minimal pure-Python floor in the same run.

500 lots × 40 bidders (default). "ours" is `procurement.evaluation.evaluate_tender` (reasons, criteria, ranks and a
storable result for every bid); the floor computes only the winners with the same rules and no bookkeeping. The
winners must be identical. The whole tender on the database (opening, evaluation, awards, allocation to 1,000
hospitals) is `bench.tender_awards`; this isolates the rules themselves. Not a test: `python -m
bench.tender_selection [--lots 500 --bidders 40]`.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.common import peak_rss_mb, print_table, setup_django, timer

GOAL = 1.5


def generate(lots: int, bidders: int, seed: int = 7):
    from procurement.evaluation import BidInput, LotInput

    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    lot_inputs, bids_by_lot, bid_id = [], {}, 0
    for lot_id in range(1, lots + 1):
        max_price = Decimal(rng.randint(500, 50000)) / Decimal(10000)
        lot_inputs.append(LotInput(lot_id=lot_id, max_price=max_price))
        bids = []
        for maker in range(1, bidders + 1):
            bid_id += 1
            share = Decimal(rng.randint(150, 1050)) / Decimal(1000)  # a few above max: invalid
            bids.append(BidInput(
                bid_id=bid_id, manufacturer_id=maker, product_id=bid_id,
                comparison_price=(max_price * share).quantize(Decimal("0.0001")),
                supply_capacity=rng.randint(1, 50) * 100000, submitted_at=start + timedelta(seconds=rng.randint(0, 10**6)),
            ))
        bids_by_lot[lot_id] = bids
    return lot_inputs, bids_by_lot


def floor_winners(lot_inputs, bids_by_lot, ratio=Decimal("1.8"), discount=Decimal("0.50"), floor=Decimal("0.1"), cap=10):
    """Winners only: the same rules with nothing recorded."""
    result = {}
    for lot in lot_inputs:
        valid = sorted(
            (b for b in bids_by_lot[lot.lot_id] if 0 < b.comparison_price <= lot.max_price),
            key=lambda b: (b.comparison_price, -b.supply_capacity, b.submitted_at, b.bid_id),
        )
        if not valid:
            result[lot.lot_id] = ()
            continue
        lowest = valid[0].comparison_price
        limit = max(lowest * ratio, lot.max_price * (1 - discount), floor)
        eligible = [b for b in valid if b.comparison_price <= limit]
        if len(eligible) > 1 and eligible[0].comparison_price != eligible[-1].comparison_price:
            top = eligible[-1].comparison_price
            eligible = [b for b in eligible if b.comparison_price != top]
        result[lot.lot_id] = tuple(b.bid_id for b in eligible[:cap])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lots", type=int, default=500)
    parser.add_argument("--bidders", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    setup_django()
    from procurement.evaluation import DEFAULT_RULES, evaluate_tender

    lot_inputs, bids_by_lot = generate(args.lots, args.bidders)
    ours_best = floor_best = float("inf")
    for _ in range(args.repeat):
        with timer() as t:
            results = evaluate_tender(lot_inputs, bids_by_lot, DEFAULT_RULES)
            stored = {k: v.to_dict() for k, v in results.items()}
        ours_best = min(ours_best, t["seconds"])
        with timer() as f:
            floor = floor_winners(lot_inputs, bids_by_lot)
        floor_best = min(floor_best, f["seconds"])
    mismatched = [k for k, v in results.items() if tuple(v.winner_ids) != floor[k]]
    if mismatched:
        raise SystemExit(f"winners differ from the floor in {len(mismatched)} lots, e.g. lot {mismatched[0]}")
    bids = sum(len(v) for v in bids_by_lot.values())
    print_table(
        ["measure", "lots", "bids", "ours s", "floor s", "ratio", "goal", "peak RSS MiB"],
        [["selection rules (with reasons, stored)", args.lots, bids, round(ours_best, 3), round(floor_best, 3),
          round(ours_best / floor_best, 2), f"≤ {GOAL}×", peak_rss_mb()]],
        title=f"Tender selection — {len(stored)} lots, winners identical to the floor",
    )


def suite_rows(scale: float, *, quick: bool = False) -> list[dict]:
    """The suite's line (bench.suite): 500 lots × 40 bidders at scale 1."""
    from bench.common import suite_row

    setup_django()
    from procurement.evaluation import DEFAULT_RULES, evaluate_tender

    lot_inputs, bids_by_lot = generate(max(20, round(500 * scale)), 40)
    ours = floor = float("inf")
    for _ in range(3):
        with timer() as t:
            results = evaluate_tender(lot_inputs, bids_by_lot, DEFAULT_RULES)
            {k: v.to_dict() for k, v in results.items()}
        with timer() as f:
            winners = floor_winners(lot_inputs, bids_by_lot)
        ours, floor = min(ours, t["seconds"]), min(floor, f["seconds"])
    same = all(tuple(v.winner_ids) == winners[k] for k, v in results.items())
    bids = sum(len(v) for v in bids_by_lot.values())
    return [suite_row(f"tender selection rules, {bids:,} bids (winners {'identical' if same else 'DIFFER'})",
                      ours, floor, goal=GOAL if same else 0)]


if __name__ == "__main__":
    main()
