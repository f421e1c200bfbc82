"""A tender's row lock and its status transitions, shared by every tender service.

Every step locks the tender row first (select_for_update), so a bid racing the deadline and the step that
closes bidding are ordered by the database: a bid is either fully in, or rejected. Deadlines are compared
with the database transaction's `timezone.now()` taken after the lock, to the second.
"""

from __future__ import annotations

from django.utils.translation import gettext, pgettext_lazy

from common.errors import ConflictError
from common.models import record_event

from ... import hooks
from ...errors import TenderError
from ...models import Tender

S = Tender.Status
RULES_LOCKED_FROM = (S.BIDDING, S.OPENED, S.AWARDED, S.EXECUTING, S.CLOSED, S.CANCELLED)


def lock_tender(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().get(pk=tender.pk)


#: The steps of the platform's own tendering, refused on an imported national or alliance batch: its lots, rules,
#: bids, evaluation and awards are the batch's published results, not the province's to set. What the province does
#: with it — demand, agreed volumes, listings, a follow-on tender — stays allowed.
IMPORTED_REFUSED_STEPS = {
    "add_lot": pgettext_lazy("imported batch step", "增加品种"),
    "configure_lot": pgettext_lazy("imported batch step", "修改品种设置"),
    "set_rules": pgettext_lazy("imported batch step", "修改中选规则"),
    "start_demand": pgettext_lazy("imported batch step", "开始报量"),
    "cancel": pgettext_lazy("imported batch step", "终止采购"),
    "bid": pgettext_lazy("imported batch step", "申报、替换或撤回报价"),
    "open_bids": pgettext_lazy("imported batch step", "开标"),
    "evaluate": pgettext_lazy("imported batch step", "评审"),
    "award": pgettext_lazy("imported batch step", "公布中选结果"),
}


def refuse_imported(tender: Tender, step: str) -> None:
    """409 `imported_batch_immutable` when `tender` is an imported national or alliance batch (its origin never
    changes, so an unlocked instance answers): checked before anything else of the step, so nothing is written."""
    if tender.origin == Tender.Origin.RESULTS_IMPORT:
        raise ConflictError(
            gettext("本批次为导入的国家/联盟集采中选结果，不能在本平台%(step)s")
            % {"step": IMPORTED_REFUSED_STEPS[step]},
            code=TenderError.IMPORTED_BATCH_IMMUTABLE,
        )


TRANSITIONS = {
    S.DEMAND_COLLECTION: "start_demand_collection",
    S.BIDDING: "start_bidding",
    S.OPENED: "open_bids",
    S.AWARDED: "publish_awards",
    S.EXECUTING: "start_execution",
    S.CLOSED: "close",
    S.CANCELLED: "cancel",
}


def move_tender(
    tender: Tender, to: str, *, by=None, note: str = "", data: dict | None = None, via: str | None = None
) -> None:
    """Run the model's FSM transition to `to` (it refuses a wrong source state), save, and audit it. `via` names
    another transition to the same state (an imported batch's results confirmed: `confirm_imported_results`)."""
    previous = tender.status
    getattr(tender, via or TRANSITIONS[to])()
    tender.save(update_fields=["status", "opened_at", "awarded_at", "cancel_reason"])
    record_event(tender, "status", by=by, from_state=previous, to_state=to, note=note, data=data)
    hooks.tender_moved(tender.pk)
