"""Who may do what to a tender, decided once: the tender page, its templates and the API read the same answer.

`tender_role(user)` says in which capacity a user meets tenders (an official running them, a manufacturer bidding, a
hospital reporting demand); `tender_allowed_actions(user, tender)` lists the steps that user may take now, from the
role, the capabilities and the tender's status and dates. The services still check every rule when a step is taken
(a page may be stale, an API client may try anyway): this is what is offered, not what is enforced.
`tender_bids_for` / `tender_commitments_for` are the bids and agreed volumes of the tender the user may see.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.permissions import can, is_official

from ..models import Bid, Commitment, Tender, TenderEvaluation
from .tenders import current_evaluation, results_visible

S = Tender.Status
MANAGE = "tender.manage"

#: The statuses in which an official may still add lots or change the selection rules (locked once bidding starts).
EDITABLE = (S.DRAFT, S.DEMAND_COLLECTION)
#: The statuses in which an official may still cancel the tender (not once the awards are published).
CANCELLABLE = (S.DRAFT, S.DEMAND_COLLECTION, S.BIDDING, S.OPENED)


class TenderRole(StrEnum):
    OFFICIAL = "official"
    MANUFACTURER = "manufacturer"
    HOSPITAL = "hospital"
    NONE = ""


def tender_role(user) -> TenderRole:
    if is_official(user):
        return TenderRole.OFFICIAL
    if can(user, "tender.bid"):
        return TenderRole.MANUFACTURER
    if can(user, "tender.report_demand"):
        return TenderRole.HOSPITAL
    return TenderRole.NONE


@dataclass(frozen=True)
class TenderActions:
    """What a user may do to a tender now. Each flag is one step of the tender page (and of the API)."""

    manage: bool = False  # the officials' section: run the tender
    start_demand: bool = False
    add_lot: bool = False
    set_rules: bool = False
    cancel: bool = False
    view_coverage: bool = False
    import_demand: bool = False
    open_bids: bool = False  # the opening time has come
    open_bids_later: bool = False  # bidding, opening time not yet reached: the button shows, disabled
    evaluate: bool = False  # opened, not yet evaluated
    rerun_evaluation: bool = False  # opened and evaluated: a re-run with a reason
    review_evaluation: bool = False
    publish_awards: bool = False
    bid: bool = False  # submit, replace, withdraw own bids
    report_demand: bool = False  # report, change, withdraw own demand
    view_results: bool = False
    confirm_results: bool = False  # an imported national/alliance batch collecting demand: set the agreed volumes now
    follow_on: bool = False  # the purchase cycle has ended: create a follow-on tender (接续采购)

    def names(self) -> list[str]:
        """The allowed steps by name, in a stable order (the API's `allowed_actions`)."""
        return [f.name for f in fields(self) if getattr(self, f.name)]


#: Every step name `TenderActions.names()` may give.
TENDER_ACTION_NAMES = [f.name for f in fields(TenderActions)]


def tender_allowed_actions(
    user, tender: Tender, *, now: datetime | None = None, evaluated: bool | None = None
) -> TenderActions:
    """The steps `user` may take on `tender` at `now`. `evaluated`: whether the tender has a current evaluation, when
    the caller knows (a list annotates it: `with_evaluated`); left out, it is read when it matters."""
    now = now or timezone.now()
    role = tender_role(user)
    view_results = results_visible(tender, user)
    if role == TenderRole.OFFICIAL and can(user, MANAGE):
        if evaluated is None:
            evaluated = tender.status == S.OPENED and current_evaluation(tender) is not None
        return _official_actions(tender, now, evaluated, view_results)
    if role == TenderRole.MANUFACTURER:
        imported = tender.origin == Tender.Origin.RESULTS_IMPORT
        return TenderActions(bid=not imported and tender.accepting_bids(now), view_results=view_results)
    if role == TenderRole.HOSPITAL:
        return TenderActions(report_demand=demand_window_open(tender, now), view_results=view_results)
    return TenderActions(view_results=view_results)


def _official_actions(tender: Tender, now: datetime, evaluated: bool, view_results: bool) -> TenderActions:
    status = tender.status
    imported = tender.origin == Tender.Origin.RESULTS_IMPORT
    # An imported national/alliance batch: its lots, rules, bids, evaluation and awards are the published results
    # (the services refuse those steps, `imported_batch_immutable`); the province's own steps stay.
    own = not imported
    bidding = own and status == S.BIDDING
    opened = own and status == S.OPENED
    return TenderActions(
        manage=True,
        start_demand=own and status == S.DRAFT,
        add_lot=own and status in EDITABLE,
        set_rules=own and status in EDITABLE,
        cancel=own and status in CANCELLABLE,
        view_coverage=status in (S.DEMAND_COLLECTION, S.BIDDING),
        import_demand=status == S.DEMAND_COLLECTION,
        open_bids=bidding and now >= tender.opening_at,
        open_bids_later=bidding and now < tender.opening_at,
        evaluate=opened and not evaluated,
        rerun_evaluation=opened and evaluated,
        review_evaluation=opened,
        publish_awards=opened and evaluated,
        view_results=view_results,
        confirm_results=imported and status == S.DEMAND_COLLECTION,
        follow_on=status != S.CANCELLED and timezone.localdate(now) > tender.cycle_end,
    )


def with_evaluated(tenders: QuerySet[Tender]) -> QuerySet[Tender]:
    """The tenders annotated with `evaluated` (a current evaluation exists), for `tender_allowed_actions` over a list."""
    current = TenderEvaluation.objects.filter(tender=OuterRef("pk"), is_current=True)
    return tenders.annotate(evaluated=Exists(current))


def demand_window_open(tender: Tender, now: datetime | None = None) -> bool:
    """Hospitals report demand while the tender collects it, between its demand start and end."""
    now = now or timezone.now()
    return tender.status == S.DEMAND_COLLECTION and tender.demand_start <= now < tender.demand_end


def tender_bids_for(user, tender: Tender) -> QuerySet[Bid]:
    """The tender's bids the user sees: all for an official, its own for a manufacturer, none for anyone else."""
    role = tender_role(user)
    if role == TenderRole.OFFICIAL:
        return Bid.objects.filter(tender=tender)
    if role == TenderRole.MANUFACTURER:
        return Bid.objects.filter(tender=tender, manufacturer_id=user.organization_id)
    return Bid.objects.none()


def tender_commitments_for(user, tender: Tender) -> QuerySet[Commitment]:
    """The tender's agreed volumes the user sees: all (official), those it supplies (manufacturer), its own
    (hospital)."""
    role = tender_role(user)
    if role == TenderRole.OFFICIAL:
        return Commitment.objects.filter(tender=tender)
    if role == TenderRole.MANUFACTURER:
        return Commitment.objects.filter(tender=tender, manufacturer_id=user.organization_id)
    if role == TenderRole.HOSPITAL:
        return Commitment.objects.filter(tender=tender, hospital_id=user.organization_id)
    return Commitment.objects.none()
