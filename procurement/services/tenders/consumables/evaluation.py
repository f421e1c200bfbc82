"""Evaluation (评审) of a consumable tender under its own rules (procurement.evaluation.consumables).

Called by ``tender_evaluate`` for a tender of kind ``consumables``; stores the run like the drug path (inputs and
outputs side by side, one current run) so the award step publishes it unchanged: its ``winner_ids`` per lot, and
each winner's ``awarded_prices`` (a revived bid is awarded the revival price). The agreed volumes follow the
drug path's allocation with the tender's ``agreed_share``.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from accounts.permissions import require
from common.errors import ConflictError
from common.history import record_history
from common.models import record_event

from .... import evaluation
from ....errors import TenderError
from ....evaluation import consumables as rules_mod
from ....models import Bid, BidComponent, ConsumableBid, ConsumableDemand, TenderEvaluation
from ..state import S, lock_tender
from .registration import registration_problem
from .setup import consumable_rules, ensure_consumable_tender

OPENED = [Bid.Status.VALID, Bid.Status.INVALID, Bid.Status.SELECTED, Bid.Status.NOT_SELECTED]


def _volumes(tender) -> dict[tuple[int, int], int]:
    """Intended volume per (lot, manufacturer): the hospitals' reports of the manufacturer's products in the lot."""
    rows = (
        ConsumableDemand.objects.filter(tender=tender)
        .values("lot_id", "product__manufacturer_id")
        .annotate(total=Sum("volume"))
    )
    return {(r["lot_id"], r["product__manufacturer_id"]): r["total"] for r in rows}


def _registration_reasons(bids: list[Bid], on) -> dict[int, str]:
    """Bids whose product, or a component's, has no valid registration certificate on the opening date."""
    products: dict[int, list] = defaultdict(list)
    for bid in bids:
        products[bid.pk].append(bid.product)
    for component in BidComponent.objects.filter(bid__in=bids).select_related("product"):
        products[component.bid_id].append(component.product)
    reasons = {}
    for bid_id, items in products.items():
        problems = [p for p in (registration_problem(product, on) for product in items) if p]
        if problems:
            reasons[bid_id] = "注册证无效：" + "；".join(problems)
    return reasons


def _bid_inputs(tender, bids: list[Bid]) -> dict[int, list]:
    volumes = _volumes(tender)
    flags = {c.bid_id: c for c in ConsumableBid.objects.filter(bid__in=bids)}
    on = timezone.localdate(tender.opened_at) if tender.opened_at else timezone.localdate()
    registration = _registration_reasons(bids, on)
    by_lot: dict[int, list] = defaultdict(list)
    for bid in bids:
        declared = flags.get(bid.pk)
        by_lot[bid.lot_id].append(
            rules_mod.ConsumableBidInput(
                bid_id=bid.pk,
                manufacturer_id=bid.manufacturer_id,
                product_id=bid.product_id,
                price=bid.price,
                volume=volumes.get((bid.lot_id, bid.manufacturer_id), 0),
                submitted_at=bid.submitted_at,
                qualified_for_a=bool(declared and declared.supplies_all_regions and declared.meets_group_a_conditions),
                accepts_revival=bool(declared and declared.accepts_revival),
                invalid_reason=bid.invalid_reason or registration.get(bid.pk) or None,
            )
        )
    return by_lot


def _write_statuses(opened, results) -> None:
    selected, invalid = [], []
    for result in results.values():
        selected += result.winner_ids
        invalid += [o.bid_id for o in result.outcomes if o.status == evaluation.OutcomeStatus.INVALID]
    reasons = {o.bid_id: o.reason for r in results.values() for o in r.outcomes if o.reason and o.bid_id in invalid}
    opened.exclude(status=Bid.Status.INVALID).update(status=Bid.Status.NOT_SELECTED)
    Bid.objects.filter(pk__in=selected).update(status=Bid.Status.SELECTED)
    for bid_id, reason in reasons.items():
        Bid.objects.filter(pk=bid_id).update(status=Bid.Status.INVALID, invalid_reason=reason[:300])


@transaction.atomic
def consumable_tender_evaluate(*, tender, by, rerun_reason: str = "") -> TenderEvaluation:
    """Run the consumable selection rules. A second run is a no-op unless it is an explicit re-run with a reason."""
    require(by, "tender.manage")
    tender = lock_tender(tender)
    ensure_consumable_tender(tender)
    if tender.status != S.OPENED:
        raise ConflictError(gettext("只有已开标的批次可以评审"), code=TenderError.NOT_OPENED)
    current = tender.evaluations.filter(is_current=True).first()
    if current and not rerun_reason.strip():
        return current
    rules = consumable_rules(tender)
    opened = Bid.objects.filter(tender=tender, status__in=OPENED)
    bids = list(opened.select_related("product").order_by("pk"))
    by_lot = _bid_inputs(tender, bids)
    lots = [rules_mod.ConsumableLotInput(lot.pk, lot.max_price) for lot in tender.lots.order_by("pk")]
    results = rules_mod.evaluate_consumable_tender(lots, by_lot, rules)
    _write_statuses(opened, results)
    record_history(opened, by=by, reason=rerun_reason.strip() or "评审")
    if current:
        TenderEvaluation.objects.filter(pk=current.pk).update(is_current=False)
    # The award step reads the agreed share and the region-pick rule from ``rules``; no drug threshold applies.
    award_rules = evaluation.SelectionRules(floor_price="0", agreed_share_table=((1, rules.agreed_share),))
    run = TenderEvaluation.objects.create(
        tender=tender,
        run_no=(current.run_no + 1) if current else 1,
        rules=award_rules.to_dict(),
        inputs={
            "kind": "consumables",
            "consumable_rules": rules.to_dict(),
            "lots": [lot.to_dict() for lot in lots],
            "bids": {str(k): [b.to_dict() for b in v] for k, v in by_lot.items()},
        },
        outputs={str(k): v.to_dict() for k, v in results.items()},
        reason=rerun_reason.strip(),
        run_by=by,
    )
    record_event(tender, "evaluated", by=by, note=rerun_reason, data={"run_no": run.run_no, "kind": "consumables"})
    return run
