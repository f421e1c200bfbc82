"""Objections and appeals as each role sees them: a company its own, officials and supervisors all of them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.permissions import can, scope_to_organization
from pricing.models import CreditRecord
from procurement.models import Bid, Tender

from ..models import Appeal, Objection
from ..services.holds import notice_for


def objections_visible_to(user) -> QuerySet[Objection]:
    qs = Objection.objects.select_related(
        "tender", "credit_record", "organization", "filed_by", "answered_by", "appeal", "appeal__decided_by"
    )
    if can(user, "transparency.decide_appeal"):
        return qs
    return scope_to_organization(qs, user)


def answer_queue(user) -> QuerySet[Objection]:
    """Unanswered objections, the nearest deadline first (officials)."""
    return objections_visible_to(user).filter(status=Objection.Status.FILED).order_by("answer_due", "pk")


def appeal_queue(user) -> QuerySet[Appeal]:
    """Undecided appeals, oldest first (supervisors)."""
    if not can(user, "transparency.decide_appeal"):
        return Appeal.objects.none()
    return (
        Appeal.objects.filter(status=Appeal.Status.FILED)
        .select_related("objection__tender", "objection__organization", "objection__answered_by")
        .order_by("filed_at", "pk")
    )


def objectable_tenders(user) -> list[Tender]:
    """Tenders in their notice period that the user's company bid on and has not objected to yet."""
    if not can(user, "transparency.object") or not user.organization_id:
        return []
    bid_on = (
        Bid.objects.filter(manufacturer_id=user.organization_id)
        .exclude(status=Bid.Status.WITHDRAWN)
        .values("tender_id")
    )
    result = []
    for tender in Tender.objects.filter(status=Tender.Status.OPENED, pk__in=bid_on).order_by("code"):
        notice = notice_for(tender)
        if not (notice and notice.running()):
            continue
        if not Objection.objects.filter(organization_id=user.organization_id, evaluation=notice.evaluation).exists():
            tender.notice = notice
            result.append(tender)
    return result


def objectable_credit_records(user) -> QuerySet[CreditRecord]:
    """The company's credit records not yet in effect and not yet objected to."""
    if not can(user, "transparency.object") or not user.organization_id:
        return CreditRecord.objects.none()
    return (
        CreditRecord.objects.filter(
            organization_id=user.organization_id, status=CreditRecord.Status.ACTIVE, start__gt=timezone.localdate()
        )
        .exclude(objections__organization_id=user.organization_id)
        .order_by("start", "pk")
    )


def allowed_actions(user, objection: Objection) -> list[str]:
    """The steps the user may take on the objection now: answer, appeal, decide_appeal."""
    actions = []
    now = timezone.now()
    if objection.status == Objection.Status.FILED and can(user, "transparency.answer"):
        actions.append("answer")
    appeal = getattr(objection, "appeal", None) if hasattr(objection, "appeal") else None
    if (
        objection.status == Objection.Status.REJECTED
        and appeal is None
        and objection.organization_id == getattr(user, "organization_id", None)
        and objection.appeal_due
        and now < objection.appeal_due
    ):
        actions.append("appeal")
    if (
        appeal is not None
        and appeal.status == Appeal.Status.FILED
        and can(user, "transparency.decide_appeal")
        and objection.answered_by_id != user.pk
    ):
        actions.append("decide_appeal")
    return actions
