"""The selection rules over a province-size tender, next to a minimal pure-Python floor in the same run.

500 lots × 40 bidders (default). "ours" is `procurement.evaluation.evaluate_tender` (reasons, criteria, ranks and a
storable result for every bid); the floor computes every bid's decision (status, criteria met, rank, winner rank)
with the same rules and no reasons or result objects. The decisions must be identical. The whole tender on the database (opening, evaluation, awards, allocation to 1,000
hospitals) is `bench.tender_awards`; this isolates the rules themselves. Not a test: `python -m
bench.tender_selection [--lots 500 --bidders 40]`.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.common import digest, peak_rss_mb, print_table, setup_django, timer


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
            bids.append(
                BidInput(
                    bid_id=bid_id,
                    manufacturer_id=maker,
                    product_id=bid_id,
                    comparison_price=(max_price * share).quantize(Decimal("0.0001")),
                    supply_capacity=rng.randint(1, 50) * 100000,
                    submitted_at=start + timedelta(seconds=rng.randint(0, 10**6)),
                )
            )
        bids_by_lot[lot_id] = bids
    return lot_inputs, bids_by_lot


def floor_decisions(
    lot_inputs, bids_by_lot, ratio=Decimal("1.8"), discount=Decimal("0.50"), floor=Decimal("0.1"), cap=10
):
    """Every bid's decision — status, criteria met, rank, winner rank — by the same rules, with no reasons, no
    validation and no result objects (the default table: up to ``cap`` winners whatever the number of bidders): lot id → {bid id: (status, criteria, rank, winner_rank)}."""
    result = {}
    for lot in lot_inputs:
        decisions, valid = {}, []
        for b in bids_by_lot[lot.lot_id]:
            if 0 < b.comparison_price <= lot.max_price:
                valid.append(b)
            else:
                decisions[b.bid_id] = ("invalid", (), None, None)
        valid.sort(key=lambda b: (b.comparison_price, -b.supply_capacity, b.submitted_at, b.bid_id))
        if valid:
            ratio_limit = valid[0].comparison_price * ratio
            discount_limit = lot.max_price * (1 - discount)
            met = [
                tuple(
                    name
                    for name, limit in (
                        ("ratio_to_lowest", ratio_limit),
                        ("discount_from_max", discount_limit),
                        ("floor_price", floor),
                    )
                    if b.comparison_price <= limit
                )
                for b in valid
            ]
            eligible = [b.comparison_price for b, m in zip(valid, met, strict=True) if m]
            top = eligible[-1] if len(set(eligible)) > 1 else None
            winners = 0
            for rank, (b, m) in enumerate(zip(valid, met, strict=True), start=1):
                winner_rank = None
                if m and b.comparison_price != top and winners < cap:
                    winners += 1
                    winner_rank = winners
                decisions[b.bid_id] = ("selected" if winner_rank else "not_selected", m, rank, winner_rank)
        result[lot.lot_id] = decisions
    return result


def floor_winners(lot_inputs, bids_by_lot) -> dict[int, tuple[int, ...]]:
    """Winners only, in winner-rank order: lot id → bid ids (the floor of ``bench.tender_awards``)."""
    return {
        lot_id: tuple(
            bid_id for bid_id, d in sorted(((k, d) for k, d in decisions.items() if d[3]), key=lambda item: item[1][3])
        )
        for lot_id, decisions in floor_decisions(lot_inputs, bids_by_lot).items()
    }


def _our_decisions(results) -> dict:
    return {
        lot_id: {
            o["bid_id"]: (o["status"], tuple(o["criteria_met"]), o["rank"], o["winner_rank"])
            for o in stored["outcomes"]
        }
        for lot_id, stored in results.items()
    }


def decisions_work(decisions: dict) -> dict:
    """Bids decided, winners, and every bid's decision (fingerprinted)."""
    every = [d for lot in decisions.values() for d in lot.values()]
    return {"bids": len(every), "selected": sum(1 for d in every if d[0] == "selected"), "decisions": digest(decisions)}


def _run(lot_inputs, bids_by_lot, repeat: int):
    """Best of ``repeat`` for ours (the platform's evaluation, stored as JSON-ready dicts, reasons included) and
    the floor; what each decided (``decisions_work``)."""
    from procurement.evaluation import default_rules, evaluate_tender

    rules = default_rules()
    ours = floor = float("inf")
    for _ in range(repeat):
        with timer() as t:
            stored = {k: v.to_dict() for k, v in evaluate_tender(lot_inputs, bids_by_lot, rules).items()}
        with timer() as f:
            decisions = floor_decisions(lot_inputs, bids_by_lot)
        ours, floor = min(ours, t["seconds"]), min(floor, f["seconds"])
    return ours, floor, (decisions_work(_our_decisions(stored)), decisions_work(decisions))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lots", type=int, default=500)
    parser.add_argument("--bidders", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    setup_django()
    lot_inputs, bids_by_lot = generate(args.lots, args.bidders)
    ours, floor, work = _run(lot_inputs, bids_by_lot, args.repeat)
    if work[0] != work[1]:
        raise SystemExit("the evaluation's decisions differ from the floor's")
    bids = sum(len(v) for v in bids_by_lot.values())
    print_table(
        ["measure", "lots", "bids", "ours s", "floor s", "ratio", "peak RSS MiB"],
        [
            [
                "selection rules (decisions + every bid's reasons)",
                args.lots,
                bids,
                round(ours, 3),
                round(floor, 3),
                round(ours / floor, 2),
                peak_rss_mb(),
            ]
        ],
        title=f"Tender selection — {args.lots} lots, every bid's decision identical to the floor's",
    )


def suite_rows(scale: float, *, quick: bool = False) -> list[dict]:
    """The suite's line (bench.suite): 500 lots × 40 bidders at scale 1. No goal of its own: the tender's goal
    (≤ 1.5×) is on the whole evaluation and allocation on the database (bench.tender_awards); this line shows
    what the rules engine costs next to bare decisions, its price for writing every bid's reasons."""
    from bench.common import suite_row

    setup_django()
    lot_inputs, bids_by_lot = generate(max(20, round(500 * scale)), 40)
    ours, floor, work = _run(lot_inputs, bids_by_lot, 3)
    bids = sum(len(v) for v in bids_by_lot.values())
    return [suite_row(f"tender selection rules with reasons vs bare decisions, {bids:,} bids", ours, floor, work=work)]


if __name__ == "__main__":
    main()
