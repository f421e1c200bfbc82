"""Objections (异议): a bidder's objection to a tender's candidate results during the notice period, or a company's
to a credit record before it takes effect; the official's answer. An upheld objection re-runs the evaluation with
the answer as its reason (procurement's audited re-run) or revokes the credit record."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.permissions import can
from common import rules
from common.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from common.messages import Message
from common.models import record_event
from common.uploads import check_upload_size, file_size
from pricing.models import CreditRecord
from pricing.services.credit import credit_record_revoke
from procurement.models import Bid, Tender
from procurement.services.tenders import tender_evaluate

from ..errors import TransparencyError
from ..models import Objection
from .common import check_outcome, require_answering_official, required_text, subject_title, tell_agency, tell_objector
from .holds import notice_for

DOCUMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xlsx", ".zip")


def _require_objector(by) -> None:
    if not (getattr(by, "is_authenticated", False) and can(by, "transparency.object") and by.organization_id):
        raise PermissionDeniedError(
            gettext("只有参与本批次申报的企业可以提出异议"), field="tender", code=TransparencyError.NOT_A_BIDDER
        )


def _check_document(document) -> None:
    if not document:
        return
    check_upload_size(file_size(document))
    if not str(document.name).lower().endswith(DOCUMENT_TYPES):
        raise ValidationFailed(
            gettext("证明材料须为 PDF、图片、Word、Excel 或 ZIP 文件"),
            field="document",
            code=TransparencyError.DOCUMENT_TYPE,
        )


def _tender_subject(tender: Tender, by) -> dict:
    tender = Tender.objects.select_for_update().get(pk=tender.pk)  # ordered with the awards, which lock it too
    is_bidder = (
        Bid.objects.filter(tender=tender, manufacturer_id=by.organization_id)
        .exclude(status=Bid.Status.WITHDRAWN)
        .exists()
    )
    if not is_bidder:
        raise PermissionDeniedError(
            gettext("只有参与本批次申报的企业可以提出异议"), field="tender", code=TransparencyError.NOT_A_BIDDER
        )
    notice = notice_for(tender)
    if notice is None or not notice.running():
        raise ConflictError(
            gettext("本批次不在中选候选结果公示期内，不能提出异议"),
            field="tender",
            code=TransparencyError.NOT_IN_NOTICE_PERIOD,
        )
    if Objection.objects.filter(organization_id=by.organization_id, evaluation=notice.evaluation).exists():
        raise ConflictError(
            gettext("本企业已对该中选候选结果提出过异议"), field="tender", code=TransparencyError.ALREADY_OBJECTED
        )
    return {"subject": Objection.Subject.TENDER_RESULT, "tender": tender, "evaluation": notice.evaluation}


def _credit_subject(record: CreditRecord, by) -> dict:
    record = CreditRecord.objects.select_for_update().filter(pk=record.pk, organization_id=by.organization_id).first()
    if record is None:  # another company's record is not found
        raise NotFoundError(gettext("信用评价记录不存在"), field="credit_record")
    if record.status != CreditRecord.Status.ACTIVE or record.start <= timezone.localdate():
        raise ConflictError(
            gettext("信用评价记录已生效，只能在生效前提出异议"),
            field="credit_record",
            code=TransparencyError.RECORD_IN_EFFECT,
        )
    if Objection.objects.filter(organization_id=by.organization_id, credit_record=record).exists():
        raise ConflictError(
            gettext("本企业已对该信用评价记录提出过异议"),
            field="credit_record",
            code=TransparencyError.ALREADY_OBJECTED,
        )
    return {"subject": Objection.Subject.CREDIT_RECORD, "credit_record": record}


@transaction.atomic
def objection_file(
    *, by, grounds: str, tender: Tender | None = None, credit_record: CreditRecord | None = None, document=None
) -> Objection:
    """A company's objection, with its grounds (and a document); the official answers within OBJECTION_ANSWER_DAYS."""
    _require_objector(by)
    if (tender is None) == (credit_record is None):
        raise ValidationFailed(
            gettext("请选择异议对象（批次或信用评价记录）"), field="tender", code=TransparencyError.UNKNOWN_SUBJECT
        )
    subject = _tender_subject(tender, by) if tender is not None else _credit_subject(credit_record, by)
    grounds = required_text(grounds, field="grounds", label=gettext("异议事由与依据"))
    _check_document(document)
    now = timezone.now()
    objection = Objection.objects.create(
        **subject,
        organization_id=by.organization_id,
        grounds=grounds,
        document=document or "",
        filed_by=by,
        filed_at=now,
        answer_due=now + timedelta(days=rules.transparency().answer_days),
    )
    record_event(objection, "filed", by=by, to_state=objection.status, data={"subject": objection.subject})
    tell_agency(
        objection,
        Message(gettext_noop("收到异议：%(subject)s"), {"subject": subject_title(objection)}),
        body=gettext("请于 %(due)s 前答复。") % {"due": f"{timezone.localtime(objection.answer_due):%Y-%m-%d %H:%M}"},
    )
    return objection


def lock_objection(objection: Objection) -> Objection:
    return Objection.objects.select_for_update(of=("self",)).select_related("tender").get(pk=objection.pk)


def execute_upheld(objection: Objection, *, reason: str, by) -> None:
    """What an upheld objection (or appeal) does: re-run the evaluation with the reason, or revoke the record."""
    if objection.tender_id:
        objection.rerun = tender_evaluate(tender=objection.tender, by=by, rerun_reason=reason)
        objection.save(update_fields=["rerun"])
    else:
        credit_record_revoke(record=objection.credit_record, reason=reason, by=by)


@transaction.atomic
def objection_answer(*, objection: Objection, by, outcome: str, answer: str) -> Objection:
    """The official's answer: upheld (the evaluation is re-run with the answer as its reason, or the credit record is
    revoked) or rejected (the objector may appeal within APPEAL_DAYS)."""
    require_answering_official(by)
    outcome = check_outcome(outcome)
    answer = required_text(answer, field="answer", label=gettext("答复意见"))
    objection = lock_objection(objection)
    if objection.status != Objection.Status.FILED:
        raise ConflictError(gettext("该异议已答复"), field="status", code=TransparencyError.ALREADY_ANSWERED)
    previous = objection.status
    now = timezone.now()
    objection.answer, objection.answered_by, objection.answered_at = answer, by, now
    if outcome == "upheld":
        objection.uphold()
    else:
        objection.reject()
        objection.appeal_due = now + timedelta(days=rules.transparency().appeal_days)
    objection.save(update_fields=["status", "answer", "answered_by", "answered_at", "appeal_due"])
    if outcome == "upheld":
        execute_upheld(
            objection,
            reason=gettext("异议成立（异议 #%(pk)s）：%(answer)s") % {"pk": objection.pk, "answer": answer},
            by=by,
        )
    record_event(objection, "answered", by=by, from_state=previous, to_state=objection.status, note=answer)
    tell_objector(
        objection,
        Message(
            gettext_noop("异议已答复：%(subject)s（%(status)s）"),
            {"subject": subject_title(objection), "status": Message.label(objection.Status(objection.status).label)},
        ),
        body=answer,
    )
    return objection
