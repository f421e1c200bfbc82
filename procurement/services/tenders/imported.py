"""The province's agreed volumes of an imported national or alliance batch, from the demand reported in its window
and the imported awards — the same computation as the platform's own awards (`tenders.awards.write_commitments`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from common.errors import ConflictError

from ... import evaluation, hooks
from ...errors import TenderError
from ...models import Award, Tender
from .commitments import write_commitments
from .state import S, lock_tender, move_tender


def confirm_imported(tender: Tender, *, by=None, note: str) -> Tender:
    """Set the agreed volumes and move the (locked) imported tender to 已公布中选. No permission check: the
    time-driven step calls it at the end of the demand window; officials go through `imported_results_confirm`."""
    rules = evaluation.rules_from_dict(tender.rules)
    winners_by_lot: dict[int, list] = {}
    for award in Award.objects.filter(tender=tender).order_by("lot_id", "rank"):
        winner = evaluation.Winner(
            manufacturer_id=award.manufacturer_id,
            product_id=award.product_id,
            awarded_price=award.awarded_price,
            supply_capacity=None,
        )
        winners_by_lot.setdefault(award.lot_id, []).append((winner, award))
    commitments = write_commitments(tender, rules, winners_by_lot)
    tender.awarded_at = timezone.now()
    move_tender(tender, S.AWARDED, by=by, note=note, data={"commitments": commitments}, via="confirm_imported_results")
    hooks.tender_awarded(tender.pk)  # purchase contracts for the new commitments (the contracts app)
    hooks.awards_published(tender.pk)  # payment standards derived from the awards (payment_standards)
    return tender


@transaction.atomic
def imported_results_confirm(*, tender: Tender, by) -> Tender:
    """An official closes the demand window of an imported batch early and sets its agreed volumes."""
    require(by, "tender.manage")
    tender = lock_tender(tender)
    if tender.origin != Tender.Origin.RESULTS_IMPORT:
        raise ConflictError(
            _("只有导入国家/联盟中选结果的批次可以按导入结果确定约定采购量"), code=TenderError.NOT_IMPORTED_TENDER
        )
    if tender.status != S.DEMAND_COLLECTION:
        raise ConflictError(_("只有报量中的导入批次可以确定约定采购量"), code=TenderError.WRONG_STATUS)
    return confirm_imported(tender, by=by, note=_("按导入的中选结果确定约定采购量"))
