"""Appeals (申诉): the objector appeals a rejecting answer within APPEAL_DAYS; a supervisor of the agency — never the
official who answered — decides. An upheld appeal does what an upheld objection does (services.objections)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from common.errors import ConflictError, NotFoundError, PermissionDeniedError
from common.messages import Message
from common.models import record_event

from ..errors import TransparencyError
from ..models import Appeal, Objection
from .common import check_outcome, require_supervisor, required_text, subject_title, tell_agency, tell_objector
from .objections import execute_upheld, lock_objection


@transaction.atomic
def appeal_file(*, objection: Objection, by, grounds: str) -> Appeal:
    objection = lock_objection(objection)
    if not getattr(by, "is_authenticated", False) or objection.organization_id != by.organization_id:
        raise NotFoundError(gettext("异议不存在"), field="objection")  # another company's objection is not found
    if Appeal.objects.filter(objection=objection).exists():
        raise ConflictError(gettext("该异议已提出申诉"), field="objection", code=TransparencyError.ALREADY_APPEALED)
    if objection.status != Objection.Status.REJECTED or timezone.now() >= objection.appeal_due:
        raise ConflictError(
            gettext("只能在申诉期限内对“异议不成立”的答复提出申诉"),
            field="objection",
            code=TransparencyError.NOT_APPEALABLE,
        )
    grounds = required_text(grounds, field="grounds", label=gettext("申诉事由"))
    appeal = Appeal.objects.create(objection=objection, grounds=grounds, filed_by=by, filed_at=timezone.now())
    record_event(appeal, "filed", by=by, to_state=appeal.status)
    record_event(objection, "appealed", by=by, from_state=objection.status, to_state=objection.status)
    tell_agency(
        objection, Message(gettext_noop("收到申诉：%(subject)s"), {"subject": subject_title(objection)}), body=grounds
    )
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, by, outcome: str, decision: str) -> Appeal:
    """The supervisor's decision. Upheld: the objection stands — the evaluation is re-run with the decision as its
    reason (carried out in the name of the agency's answering official, who holds the tender step; the supervisor is
    the actor of the appeal's own audit row), or the credit record is revoked."""
    require_supervisor(by)
    outcome = check_outcome(outcome)
    decision = required_text(decision, field="decision", label=gettext("裁决意见"))
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    objection = lock_objection(appeal.objection)
    if objection.answered_by_id == by.pk:
        raise PermissionDeniedError(
            gettext("答复该异议的工作人员不能裁决其申诉"), field="decision", code=TransparencyError.SAME_PERSON
        )
    if appeal.status != Appeal.Status.FILED:
        raise ConflictError(gettext("该申诉已裁决"), field="status", code=TransparencyError.ALREADY_DECIDED)
    previous = appeal.status
    appeal.decision, appeal.decided_by, appeal.decided_at = decision, by, timezone.now()
    if outcome == "upheld":
        appeal.uphold()
    else:
        appeal.reject()
    appeal.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    if outcome == "upheld":
        objection.overturn()
        objection.save(update_fields=["status"])
        reason = gettext("申诉成立（异议 #%(pk)s，裁决人 %(name)s）：%(decision)s") % {
            "pk": objection.pk,
            "name": by.display_name or by.username,
            "decision": decision,
        }
        execute_upheld(objection, reason=reason, by=objection.answered_by)
    record_event(appeal, "decided", by=by, from_state=previous, to_state=appeal.status, note=decision)
    title = Message(
        gettext_noop("申诉已裁决：%(subject)s（%(status)s）"),
        {"subject": subject_title(objection), "status": Message.label(appeal.Status(appeal.status).label)},
    )
    tell_objector(objection, title, body=decision)
    tell_agency(objection, title, body=decision)
    return appeal
