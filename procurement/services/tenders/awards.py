"""Evaluation (评审) under the tender's selection rules, and the publication of awards with the agreed volumes
(commitments) and listings."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.permissions import require
from common.errors import ConflictError
from common.history import record_history
from common.models import record_event
from common.money import quantize_amount, quantize_unit_price

from ... import evaluation, hooks
from ...errors import TenderError
from ...models import Award, Bid, Listing, Tender, TenderEvaluation
from .commitments import write_commitments
from .consumables.evaluation import consumable_tender_evaluate
from .state import S, lock_tender, move_tender, refuse_imported


@transaction.atomic
def tender_evaluate(*, tender: Tender, by, rerun_reason: str = "") -> TenderEvaluation:
    """Run the selection rules. A second run is a no-op unless it is an explicit re-run with a reason."""
    refuse_imported(tender, "evaluate")
    if tender.kind == Tender.Kind.CONSUMABLES:  # consumables have their own rules (no floor, no strength ratio)
        return consumable_tender_evaluate(tender=tender, by=by, rerun_reason=rerun_reason)
    require(by, "tender.manage")
    tender = lock_tender(tender)
    if tender.status != S.OPENED:
        raise ConflictError(gettext("只有已开标的批次可以评审"), code=TenderError.NOT_OPENED)
    current = tender.evaluations.filter(is_current=True).first()
    if current and not rerun_reason.strip():
        return current
    rules = evaluation.rules_from_dict(tender.rules)
    lots = list(tender.lots.order_by("pk"))
    opened = Bid.objects.filter(
        tender=tender, status__in=[Bid.Status.VALID, Bid.Status.INVALID, Bid.Status.SELECTED, Bid.Status.NOT_SELECTED]
    )
    by_lot: dict[int, list] = defaultdict(list)
    for pk, lot_id, maker_id, product_id, comparison_price, capacity, submitted_at, reason in opened.order_by(
        "pk"
    ).values_list(
        "pk",
        "lot_id",
        "manufacturer_id",
        "product_id",
        "comparison_price",
        "supply_capacity",
        "submitted_at",
        "invalid_reason",
    ):
        by_lot[lot_id].append(
            evaluation.BidInput(
                bid_id=pk,
                manufacturer_id=maker_id,
                product_id=product_id,
                comparison_price=comparison_price,
                supply_capacity=capacity,
                submitted_at=submitted_at,
                invalid_reason=reason or None,
            )
        )
    lot_inputs = [evaluation.LotInput(lot_id=lot.pk, max_price=lot.max_price) for lot in lots]
    results = evaluation.evaluate_by_rules(lot_inputs, by_lot, rules)
    selected, invalid = [], []
    for result in results.values():
        selected += result.winner_ids
        invalid += [o.bid_id for o in result.outcomes if o.status == evaluation.OutcomeStatus.INVALID]
    # Set-based: every valid bid not selected, then the winners and the bids the rules found invalid.
    opened.exclude(status=Bid.Status.INVALID).update(status=Bid.Status.NOT_SELECTED)
    for ids, status in ((selected, Bid.Status.SELECTED), (invalid, Bid.Status.INVALID)):
        for start in range(0, len(ids), 900):
            Bid.objects.filter(pk__in=ids[start : start + 900]).update(status=status)
    record_history(opened, by=by, reason=rerun_reason.strip() or "评审")
    if current:
        TenderEvaluation.objects.filter(pk=current.pk).update(is_current=False)
    run = TenderEvaluation.objects.create(
        tender=tender,
        run_no=(current.run_no + 1) if current else 1,
        rules=rules.to_dict(),
        inputs={
            "lots": [lot.to_dict() for lot in lot_inputs],
            "bids": {str(k): [b.to_dict() for b in v] for k, v in by_lot.items()},
        },
        outputs={str(k): v.to_dict() for k, v in results.items()},
        reason=rerun_reason.strip(),
        run_by=by,
    )
    record_event(tender, "evaluated", by=by, note=rerun_reason, data={"run_no": run.run_no})
    return run


@transaction.atomic
def tender_award(*, tender: Tender, by) -> list[Award]:
    """Publish the winners: awards, agreed volumes per hospital (commitments) and listings at the awarded price.

    Awards and listings are a few per lot (bulk inserts); the commitments — one per hospital and lot — are computed
    and written by the database (`procurement.sql.awards`), with only the region picks decided here by
    `evaluation.pick_regions`, so they give exactly what `evaluation.allocate` gives."""
    require(by, "tender.manage")
    refuse_imported(tender, "award")
    tender = lock_tender(tender)
    if tender.status != S.OPENED:
        raise ConflictError(gettext("只有已开标并完成评审的批次可以公布中选结果"), code=TenderError.NOT_OPENED)
    run = tender.evaluations.filter(is_current=True).defer("inputs").first()  # rules, outputs (not every bid input)
    if run is None:
        raise ConflictError(gettext("请先完成评审"), code=TenderError.NOT_EVALUATED)
    held = hooks.award_hold_reason(tender)
    if held:
        raise ConflictError(held, code=TenderError.AWARDS_ON_HOLD)
    rules = evaluation.rules_from_dict(run.rules)
    winner_ids = {lot_id: output["winner_ids"] for lot_id, output in run.outputs.items()}
    bids = {
        b.pk: b
        for b in Bid.objects.filter(pk__in=[i for ids in winner_ids.values() for i in ids]).select_related("product")
    }
    awards: list[Award] = []
    winners_by_lot: dict[int, list[tuple[evaluation.Winner, Award]]] = {}
    for lot_id, ids in winner_ids.items():
        winners = []
        # A consumable lot's revived winner is awarded the revival price, not its own (evaluation.consumables).
        prices = {int(k): Decimal(v) for k, v in run.outputs[lot_id].get("awarded_prices", {}).items()}
        for rank, bid_id in enumerate(ids, start=1):
            bid = bids[bid_id]
            price = prices.get(bid_id, bid.price)
            award = Award(
                tender=tender,
                lot_id=int(lot_id),
                bid=bid,
                manufacturer_id=bid.manufacturer_id,
                product=bid.product,
                rank=rank,
                awarded_price=price,
                comparison_price=bid.comparison_price,
            )
            awards.append(award)
            winners.append(
                (
                    evaluation.Winner(
                        manufacturer_id=bid.manufacturer_id,
                        product_id=bid.product_id,
                        awarded_price=price,
                        supply_capacity=bid.supply_capacity,
                    ),
                    award,
                )
            )
        if winners:
            winners_by_lot[int(lot_id)] = winners
    Award.objects.bulk_create(awards, batch_size=1000)
    commitments = write_commitments(tender, rules, winners_by_lot)
    Listing.objects.bulk_create(
        [
            Listing(
                product=a.product,
                manufacturer_id=a.manufacturer_id,
                unit_price=quantize_unit_price(a.awarded_price),
                pack_price=quantize_amount(a.awarded_price * a.product.pack_size),
                valid_from=tender.cycle_start,
                valid_to=tender.cycle_end,
                source=Listing.Source.TENDER_AWARD,
                award=a,
                approved_by=by,
            )
            for a in awards
        ],
        batch_size=1000,
    )
    record_history(Award.objects.filter(tender=tender), history_type="+", by=by, reason="公布中选结果")
    record_history(Listing.objects.filter(award__tender=tender), history_type="+", by=by, reason="中选产品挂网")
    tender.awarded_at = timezone.now()
    move_tender(tender, S.AWARDED, by=by, note="公布中选结果", data={"awards": len(awards), "commitments": commitments})
    hooks.tender_awarded(tender.pk)  # purchase contracts for the new commitments (the contracts app)
    hooks.awards_published(tender.pk)  # payment standards derived from the awards (payment_standards)
    return awards
