"""A tender's row lock and its status transitions, shared by every tender service.

Every step locks the tender row first (select_for_update), so a bid racing the deadline and the step that
closes bidding are ordered by the database: a bid is either fully in, or rejected. Deadlines are compared
with the database transaction's `timezone.now()` taken after the lock, to the second.
"""

from __future__ import annotations

from common.models import record_event

from ... import hooks
from ...models import Tender

S = Tender.Status
RULES_LOCKED_FROM = (S.BIDDING, S.OPENED, S.AWARDED, S.EXECUTING, S.CLOSED, S.CANCELLED)


def lock_tender(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().get(pk=tender.pk)


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
