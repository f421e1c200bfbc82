"""The officials' review of a price alert (函询 / 约谈).

open → in_review (assigned) → inquiry_sent (函询, the recipient answers in the platform) → interviewed (约谈)
→ resolved (justified / corrected with the new price / referred to credit rating) | dismissed (reason required).

Optimistic concurrency: every official's action names the alert version it was decided on; the row is locked and
a different version is a conflict (someone else acted first), so of two officials acting on one alert one wins and
the other is told to reload. Every step is an FSM transition with an audit event (who, when, from, to, why).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import TransitionNotAllowed

from accounts.permissions import can, is_official
from common.errors import ConflictError, NotFoundError, PermissionDeniedError, Refusals, ValidationFailed
from common.messages import Message
from common.models import Notification, record_event
from common.notifications import notify
from common.numbers import parse_decimal
from procurement.models import Listing
from procurement.services.listings import listing_change_price

from .. import policies
from ..errors import PricingError
from ..models import Inquiry, Interview, PriceAlert

A = PriceAlert.Status
ACTION_LABELS = PriceAlert.EVENT_LABELS  # the steps' names, in the refusal of a step out of order


def require_reviewer(user) -> None:
    """A pricing official of the agency; anyone else (including an official without an agency) is refused."""
    if not getattr(user, "is_authenticated", False) or not can(user, "pricing.review") or not is_official(user):
        raise PermissionDeniedError(_("只有医保局价格招采处工作人员可以处理价格预警"), code=PricingError.NOT_A_REVIEWER)


def _lock(alert_id: int) -> PriceAlert:
    try:
        return PriceAlert.objects.select_for_update().get(pk=alert_id)
    except PriceAlert.DoesNotExist:
        raise NotFoundError(_("预警不存在"), code=PricingError.ALERT_NOT_FOUND) from None


def _check_version(alert: PriceAlert, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != alert.version:
        raise ConflictError(
            _("预警 #%(pk)s 已被他人处理（当前状态：%(status)s），请刷新后重试")
            % {"pk": alert.pk, "status": alert.get_status_display()},
            field="version",
            code=PricingError.STALE_VERSION,
        )


def _move(alert: PriceAlert, method: str, *, by, note: str = "", data: dict | None = None, fields=()) -> None:
    previous = alert.status
    try:
        getattr(alert, method)()
    except TransitionNotAllowed:
        raise ConflictError(
            _("预警当前状态为“%(status)s”，不能%(ACTION_LABELS)s")
            % {"status": alert.get_status_display(), "ACTION_LABELS": ACTION_LABELS[method]},
            field="status",
            code=PricingError.STEP_NOT_ALLOWED,
        ) from None
    alert.version += 1
    alert.save(update_fields=["status", "version", *fields])
    record_event(alert, method, by=by, from_state=previous, to_state=alert.status, note=note, data=data)


def _assignee_ok(assignee) -> None:
    if assignee is None or not can(assignee, "pricing.review") or not is_official(assignee):
        raise ValidationFailed(
            _("经办人必须是医保局价格招采处工作人员"), field="assignee", code=PricingError.ASSIGNEE_NOT_OFFICIAL
        )


def _assignee_covers(assignee, alert: PriceAlert) -> None:
    """An official of a league's agency handles the cases of that league only."""
    if not policies.official_covers_region(assignee, alert.region):
        raise ValidationFailed(
            _("经办人“%(user)s”所属医保部门不负责该案件所在统筹区") % {"user": str(assignee)},
            field="assignee",
            code=PricingError.ASSIGNEE_OTHER_REGION,
        )


@transaction.atomic
def alert_assign(*, alert: PriceAlert, assignee, by, expected_version: int | None = None) -> PriceAlert:
    """Assign the alert to an official; an open alert goes in review, an alert in review changes hands."""
    require_reviewer(by)
    _assignee_ok(assignee)
    alert = _lock(alert.pk)
    _check_version(alert, expected_version)
    if not alert.is_open:
        raise ConflictError(
            _("预警已%(status)s，不能再指派") % {"status": alert.get_status_display()},
            field="status",
            code=PricingError.ALERT_CLOSED,
        )
    _assignee_covers(assignee, alert)
    alert.assignee = assignee
    if alert.status == A.OPEN:
        _move(alert, "start_review", by=by, data={"assignee": assignee.pk}, fields=["assignee"])
    else:
        alert.version += 1
        alert.save(update_fields=["assignee", "version"])
        record_event(
            alert, "reassign", by=by, from_state=alert.status, to_state=alert.status, data={"assignee": assignee.pk}
        )
    return alert


def _bulk_ids(alert_ids) -> list[int]:
    try:
        ids = sorted({int(i) for i in alert_ids})
    except (TypeError, ValueError):
        raise ValidationFailed(_("预警编号必须是整数"), field="alerts", code=PricingError.BULK_IDS_INVALID) from None
    if not ids:
        raise ValidationFailed(_("请选择至少一条预警"), field="alerts", code=PricingError.BULK_EMPTY)
    if len(ids) > 1000:
        raise ValidationFailed(_("一次最多处理 1000 条预警"), field="alerts", code=PricingError.BULK_TOO_MANY)
    return ids


def _lock_many(ids: list[int]) -> list[PriceAlert]:
    alerts = list(PriceAlert.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    missing = sorted(set(ids) - {a.pk for a in alerts})
    if missing:
        raise NotFoundError(
            _("预警不存在：%(items)s") % {"items": ", ".join(map(str, missing))},
            field="alerts",
            code=PricingError.ALERT_NOT_FOUND,
        )
    return alerts


@transaction.atomic
def alerts_bulk_assign(*, alert_ids, assignee, by) -> list[PriceAlert]:
    """Assign many alerts at once; all or nothing (a closed alert among them refuses the whole batch)."""
    require_reviewer(by)
    _assignee_ok(assignee)
    alerts = _lock_many(_bulk_ids(alert_ids))
    _refuse_closed(alerts, _("以下预警已关闭，不能指派：%(items)s"))
    other = [a.pk for a in alerts if not policies.official_covers_region(assignee, a.region)]
    if other:
        raise ValidationFailed(
            _("经办人“%(user)s”所属医保部门不负责以下案件所在统筹区：%(items)s")
            % {"user": str(assignee), "items": ", ".join(f"#{pk}" for pk in other)},
            field="assignee",
            code=PricingError.ASSIGNEE_OTHER_REGION,
        )
    for alert in alerts:
        alert_assign(alert=alert, assignee=assignee, by=by)
    return alerts


@transaction.atomic
def alerts_bulk_dismiss(*, alert_ids, reason: str, by) -> list[PriceAlert]:
    require_reviewer(by)
    reason = _reason(reason)
    alerts = _lock_many(_bulk_ids(alert_ids))
    _refuse_closed(alerts, _("以下预警已关闭，不能排除：%(items)s"))
    for alert in alerts:
        alert_dismiss(alert=alert, reason=reason, by=by)
    return alerts


def _refuse_closed(alerts: list[PriceAlert], message: str) -> None:
    """The bulk rule: all or nothing. Any closed case in the selection refuses the whole batch, naming every
    refused case and its state; nothing is written."""
    closed = [a for a in alerts if not a.is_open]
    if closed:
        raise ConflictError(
            message % {"items": ", ".join(f"#{a.pk}（{a.get_status_display()}）" for a in closed)},
            field="alerts",
            code=PricingError.BULK_REFUSED,
        )


def _reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("排除预警必须填写原因"), field="reason", code=PricingError.REASON_REQUIRED)
    return reason


@transaction.atomic
def alert_send_inquiry(
    *,
    alert: PriceAlert,
    recipient,
    letter: str,
    reply_due: date | None,
    by,
    expected_version: int | None = None,
    refusals: Refusals | None = None,
) -> Inquiry:
    """函询: a letter to the manufacturer, distributor or hospital, to be answered in the platform by `reply_due`.
    The letter, the recipient and the date are checked together, with what the caller found in what it parsed
    (`refusals`: a page's date), and all that are wrong are refused at once."""
    require_reviewer(by)
    found = refusals if refusals is not None else Refusals()
    letter = (letter or "").strip()
    with found.check():
        if not found.failed("recipient") and (
            recipient is None or recipient.kind not in ("manufacturer", "distributor", "hospital")
        ):
            raise ValidationFailed(
                _("函询对象必须是生产企业、配送企业或医疗机构"), field="recipient", code=PricingError.RECIPIENT_INVALID
            )
    with found.check():
        if not letter:
            raise ValidationFailed(_("函询内容不能为空"), field="letter", code=PricingError.LETTER_REQUIRED)
    with found.check():
        if found.failed("reply_due"):
            pass  # the page could not read the date: said once
        elif not isinstance(reply_due, date):
            raise ValidationFailed(_("回复期限必须是日期"), field="reply_due", code=PricingError.REPLY_DUE_INVALID)
        elif reply_due <= timezone.localdate():
            raise ValidationFailed(_("回复期限必须晚于今天"), field="reply_due", code=PricingError.REPLY_DUE_NOT_FUTURE)
    found.raise_any()
    alert = _lock(alert.pk)
    _check_version(alert, expected_version)
    inquiry = Inquiry(alert=alert, recipient=recipient, letter=letter, reply_due=reply_due, sent_by=by)
    _move(
        alert,
        "send_inquiry",
        by=by,
        note=letter[:200],
        data={"recipient": recipient.pk, "reply_due": reply_due.isoformat()},
    )
    inquiry.save()
    notify(
        recipient,
        "inquiry",
        Message(gettext_noop("价格函询：%(summary)s"), {"summary": _summary(alert)}),
        level=Notification.Level.WARNING,
        body=Message(
            "%(reply)s\n\n%(letter)s",  # nothing to translate: the request, then the letter as the official wrote it
            {
                "reply": Message(gettext_noop("请于 %(due)s 前在平台回复。"), {"due": f"{reply_due:%Y-%m-%d}"}),
                "letter": letter,
            },
        ),
        link=reverse("pricing:inquiry-list"),
        topic=f"inquiry:{inquiry.pk}",
    )
    return inquiry


@transaction.atomic
def inquiry_reply(*, inquiry: Inquiry, reply: str, by, reply_file=None) -> Inquiry:
    """The recipient's answer, uploaded in its portal. Only the addressed organisation answers, once."""
    if not can(by, "pricing.answer_inquiry") or by.organization_id != inquiry.recipient_id:
        raise NotFoundError(_("函询不存在"), code=PricingError.INQUIRY_NOT_FOUND)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationFailed(_("回复内容不能为空"), field="reply", code=PricingError.REPLY_REQUIRED)
    inquiry = Inquiry.objects.select_for_update().select_related("alert").get(pk=inquiry.pk)
    if inquiry.replied_at:
        raise ConflictError(_("该函询已经回复，不能重复回复"), field="reply", code=PricingError.INQUIRY_ALREADY_REPLIED)
    if not inquiry.alert.is_open:
        raise ConflictError(_("该预警已办结，不再接收回复"), field="reply", code=PricingError.INQUIRY_ALERT_CLOSED)
    inquiry.reply = reply
    if reply_file is not None:
        inquiry.reply_file = reply_file
    inquiry.replied_by = by
    inquiry.replied_at = timezone.now()
    inquiry.save(update_fields=["reply", "reply_file", "replied_by", "replied_at"])
    record_event(
        inquiry.alert,
        "inquiry_replied",
        by=by,
        from_state=inquiry.alert.status,
        to_state=inquiry.alert.status,
        note=reply[:200],
        data={"inquiry": inquiry.pk, "late": inquiry.replied_at.date() > inquiry.reply_due},
    )
    notify(
        inquiry.sent_by.organization_id,
        "inquiry_reply",
        Message(gettext_noop("函询已回复：%(summary)s"), {"summary": _summary(inquiry.alert)}),
        body=Message(
            gettext_noop("%(organization)s：%(reply)s"), {"organization": by.organization, "reply": reply[:500]}
        ),
        link=reverse("pricing:alert-detail", args=[inquiry.alert_id]),
        topic=f"inquiry_reply:{inquiry.pk}",
    )
    return inquiry


def _summary(alert: PriceAlert):
    """The case's summary as a parameter of a message: its message, or its text for a case found before them."""
    return Message(**alert.summary_message) if alert.summary_message else alert.summary


def inquiry_deadline_reminders(*, today: date | None = None, days: int = 2) -> int:
    """Daily: unanswered inquiries due within `days` remind their recipient once (截止提醒)."""
    today = today or timezone.localdate()
    sent = 0
    for inquiry in Inquiry.objects.filter(
        replied_at__isnull=True, reply_due__gte=today, reply_due__lte=today + timedelta(days=days)
    ).select_related("alert"):
        sent += (
            notify(
                inquiry.recipient_id,
                "deadline",
                Message(
                    gettext_noop("函询回复期限 %(due)s：%(summary)s"),
                    {"due": f"{inquiry.reply_due:%Y-%m-%d}", "summary": _summary(inquiry.alert)},
                ),
                level=Notification.Level.WARNING,
                link=reverse("pricing:inquiry-list"),
                topic=f"inquiry_due:{inquiry.pk}",
            )
            is not None
        )
    return sent


@transaction.atomic
def alert_record_interview(
    *,
    alert: PriceAlert,
    held_on: date | None,
    participants: str,
    minutes: str,
    by,
    expected_version: int | None = None,
    refusals: Refusals | None = None,
) -> Interview:
    """约谈: the meeting's date, participants and minutes, checked together (with `refusals`: what the caller found
    in what it parsed) and all that are wrong refused at once."""
    require_reviewer(by)
    found = refusals if refusals is not None else Refusals()
    participants, minutes = (participants or "").strip(), (minutes or "").strip()
    with found.check():
        if found.failed("held_on"):
            pass  # the page could not read the date: said once
        elif not isinstance(held_on, date):
            raise ValidationFailed(_("约谈日期必须是日期"), field="held_on", code=PricingError.HELD_ON_INVALID)
        elif held_on > timezone.localdate():
            raise ValidationFailed(_("约谈日期不能晚于今天"), field="held_on", code=PricingError.HELD_ON_FUTURE)
    with found.check():
        if not participants:
            raise ValidationFailed(_("请填写参加人员"), field="participants", code=PricingError.PARTICIPANTS_REQUIRED)
    with found.check():
        if not minutes:
            raise ValidationFailed(_("请填写约谈纪要"), field="minutes", code=PricingError.MINUTES_REQUIRED)
    found.raise_any()
    alert = _lock(alert.pk)
    _check_version(alert, expected_version)
    _move(alert, "record_interview", by=by, note=minutes[:200], data={"held_on": held_on.isoformat()})
    return Interview.objects.create(
        alert=alert, held_on=held_on, participants=participants, minutes=minutes, recorded_by=by
    )


def parse_unit_price(value, *, field: str) -> Decimal:
    price = parse_decimal(value, field=field, max_digits=10)
    if price <= 0:
        raise ValidationFailed(_("价格必须大于零"), field=field, code=PricingError.PRICE_NOT_POSITIVE)
    if -price.as_tuple().exponent > 4:
        raise ValidationFailed(_("价格最多保留 4 位小数"), field=field, code=PricingError.PRICE_TOO_PRECISE)
    return price


@transaction.atomic
def alert_resolve(
    *, alert: PriceAlert, disposition: str, note: str, by, expected_version: int | None = None, corrected_price=None
) -> PriceAlert:
    """Close the review with a disposition. `corrected`: the new unit price is required, and the product's active
    listings on the platform take it. `credit_referred`: the case goes to a credit record (created with this alert)."""
    require_reviewer(by)
    found = Refusals()  # the disposition, the note and the price are checked together, all errors at once
    with found.check():
        if not disposition:
            raise ValidationFailed(_("请选择处置结果"), field="disposition", code=PricingError.DISPOSITION_REQUIRED)
        if disposition not in PriceAlert.Disposition.values:
            raise ValidationFailed(
                _("未知的处置结果“%(disposition)s”") % {"disposition": disposition},
                field="disposition",
                code=PricingError.DISPOSITION_UNKNOWN,
            )
    note = (note or "").strip()
    with found.check():
        if not note:
            raise ValidationFailed(_("请填写处置说明"), field="note", code=PricingError.NOTE_REQUIRED)
    price = None
    with found.check():
        if disposition == PriceAlert.Disposition.CORRECTED:
            if corrected_price in (None, ""):
                raise ValidationFailed(
                    _("价格已纠正时必须填写纠正后的价格"),
                    field="corrected_price",
                    code=PricingError.CORRECTED_PRICE_REQUIRED,
                )
            price = parse_unit_price(corrected_price, field="corrected_price")
        elif corrected_price not in (None, "") and disposition in PriceAlert.Disposition.values:
            raise ValidationFailed(
                _("只有“价格已纠正”才填写纠正后的价格"),
                field="corrected_price",
                code=PricingError.CORRECTED_PRICE_NOT_ALLOWED,
            )
    found.raise_any()
    alert = _lock(alert.pk)
    _check_version(alert, expected_version)
    alert.disposition = disposition
    alert.resolution_note = note
    alert.corrected_price = price
    changed = []
    if price is not None:
        changed = _correct_listing_prices(alert, price, by=by, reason=note)
    _move(
        alert,
        "resolve",
        by=by,
        note=note,
        fields=["disposition", "resolution_note", "corrected_price"],
        data={
            "disposition": disposition,
            "corrected_price": str(price) if price is not None else None,
            "listings": changed,
        },
    )
    return alert


def _correct_listing_prices(alert: PriceAlert, price: Decimal, *, by, reason: str) -> list[int]:
    """The product's active listings take the corrected price, through the listing service (with its history)."""
    listings = list(Listing.objects.filter(product_id=alert.product_id, status=Listing.Status.ACTIVE).order_by("pk"))
    if not listings:
        return []
    for listing in listings:
        listing_change_price(
            listing=listing, unit_price=price, by=by, reason=f"价格预警 #{alert.pk} 纠正：{reason}"[:300]
        )
    return [listing.pk for listing in listings]


@transaction.atomic
def alert_dismiss(*, alert: PriceAlert, reason: str, by, expected_version: int | None = None) -> PriceAlert:
    require_reviewer(by)
    reason = _reason(reason)
    alert = _lock(alert.pk)
    _check_version(alert, expected_version)
    alert.resolution_note = reason
    _move(alert, "dismiss", by=by, note=reason, fields=["resolution_note"])
    return alert
