"""What the objection and appeal services share: text checks, the actors' checks, notifications."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

from accounts.permissions import can, is_official
from common.errors import PermissionDeniedError, ValidationFailed
from common.messages import Message, text_of
from common.notifications import notify, notify_kind
from common.text import check_text

from ..errors import TransparencyError
from ..models import Objection

OUTCOMES = ("upheld", "rejected")
TEXT_LIMIT = 4000


def required_text(value, *, field: str, label: str) -> str:
    text = check_text((value or "").strip(), field=field, label=label, max_length=TEXT_LIMIT)
    if not text:
        raise ValidationFailed(
            gettext("请填写%(label)s") % {"label": label}, field=field, code=TransparencyError.GROUNDS_REQUIRED
        )
    return text


def check_outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise ValidationFailed(
            gettext("处理结果须为“成立”或“不成立”"), field="outcome", code=TransparencyError.INVALID_OUTCOME
        )
    return outcome


def require_answering_official(user) -> None:
    if not (getattr(user, "is_authenticated", False) and can(user, "transparency.answer") and is_official(user)):
        raise PermissionDeniedError(
            gettext("只有医保局价格招采处工作人员可以答复异议"), code=TransparencyError.NOT_AN_OFFICIAL
        )


def require_supervisor(user) -> None:
    if not (getattr(user, "is_authenticated", False) and can(user, "transparency.decide_appeal")):
        raise PermissionDeniedError(gettext("只有监督人员可以裁决申诉"), code=TransparencyError.NOT_A_SUPERVISOR)


def subject_title(objection: Objection) -> Message:
    if objection.tender_id:
        return Message(gettext_noop("%(code)s 中选候选结果"), {"code": objection.tender.code})
    return Message(gettext_noop("信用评价记录 #%(pk)s"), {"pk": objection.credit_record_id})


def tell_objector(objection: Objection, title: str | Message, body: str = "") -> None:
    notify(
        objection.organization_id,
        "objection",
        title,
        body=body,
        link=f"/transparency/objections/{objection.pk}/",
        topic=f"objection:{objection.pk}:{text_of(title)[0][:60]}",
    )


def tell_agency(objection: Objection, title: str | Message, body: str = "") -> None:
    notify_kind(
        "agency",
        "objection",
        title,
        body=body,
        link=f"/transparency/objections/{objection.pk}/",
        topic=f"objection:{objection.pk}:{text_of(title)[0][:40]}",
    )
