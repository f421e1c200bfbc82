"""The daily deadline check: claimed statements a hospital left unconfirmed past its window are deemed confirmed;
statements and lines unpaid past their payment deadline are flagged overdue, those close to it due soon; the parties
hear of each once."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Organization
from common import rules
from common.messages import Message
from common.models import Notification
from common.notifications import notify
from common.templatetags.display import format_money

from ..models import SettlementLine, SettlementStatement
from .statements import record_event

S = SettlementStatement.Status
#: A hospital is reminded of a claimed statement this many days before its confirmation deadline.
CONFIRM_REMINDER_DAYS = 2


def _deem_confirmed(today: date) -> int:
    """Claimed statements past their confirmation deadline (`SETTLEMENT_CONFIRMATION_WORKING_DAYS` working days after
    the claim) are deemed confirmed."""
    auto = 0
    for statement in (
        SettlementStatement.objects.select_for_update()
        .filter(status=S.CLAIMED, confirm_due_on__lt=today)
        .order_by("pk")
    ):
        statement.confirm()
        statement.confirmed_at = timezone.now()
        statement.auto_confirmed = True
        statement.save()
        record_event(statement, "auto_confirmed", from_status=S.CLAIMED, reason="医疗机构逾期未确认，视同确认")
        auto += 1
    return auto


@transaction.atomic
def settlements_daily_check(*, today: date | None = None) -> dict:
    """Daily: deemed confirmations; statements and lines unpaid past their payment deadline (the payment term after
    acceptance) flagged overdue, those due within `SETTLEMENT_DUE_SOON_DAYS` due soon; paid ones unflagged."""
    today = today or timezone.localdate()
    soon_until = today + timedelta(days=rules.settlement().due_soon_days)
    auto = _deem_confirmed(today)
    unpaid = ~Q(status=S.PAID)
    SettlementStatement.objects.filter(status=S.PAID).filter(Q(overdue=True) | Q(due_soon=True)).update(
        overdue=False, due_soon=False
    )
    overdue = SettlementStatement.objects.filter(unpaid, payment_due_on__lt=today)
    newly = list(overdue.filter(overdue=False).select_related("hospital", "manufacturer"))
    _notify_overdue(newly)
    _notify_confirm_due(today)
    overdue.exclude(overdue=True, due_soon=False).update(overdue=True, due_soon=False)
    soon = SettlementStatement.objects.filter(unpaid, payment_due_on__gte=today, payment_due_on__lte=soon_until)
    soon.exclude(overdue=False, due_soon=True).update(overdue=False, due_soon=True)
    SettlementStatement.objects.filter(unpaid, payment_due_on__gt=soon_until).filter(
        Q(overdue=True) | Q(due_soon=True)
    ).update(overdue=False, due_soon=False)
    SettlementLine.objects.filter(overdue=False, due_on__lt=today).exclude(statement__status=S.PAID).update(
        overdue=True
    )
    SettlementLine.objects.filter(overdue=True, statement__status=S.PAID).update(overdue=False)
    return {
        "auto_confirmed": auto,
        "newly_overdue": len(newly),
        "overdue": overdue.count(),
        "due_soon": soon.count(),
    }


def _notify_overdue(statements) -> None:
    """逾期未付: the payee manufacturer and the fund's officers hear of each statement once."""
    agencies = list(Organization.objects.filter(kind=Organization.Kind.AGENCY).values_list("pk", flat=True))
    for s in statements:
        title = Message(
            gettext_noop("结算单 %(number)s 逾期未付（应付日 %(due)s）"),
            {"number": s.number, "due": f"{s.payment_due_on:%Y-%m-%d}"},
        )
        body = Message(
            gettext_noop("%(hospital)s → %(manufacturer)s，结算金额 %(amount)s，已付 %(paid)s。"),
            {
                "hospital": s.hospital,
                "manufacturer": s.manufacturer,
                "amount": format_money(s.amount),
                "paid": format_money(s.paid_amount),
            },
        )
        link = reverse("settlement:detail", args=[s.pk])
        for org_id in (s.manufacturer_id, *agencies):
            notify(
                org_id,
                "overdue_payment",
                title,
                body=body,
                link=link,
                level=Notification.Level.WARNING,
                topic=f"overdue:{s.pk}",
            )


def _notify_confirm_due(today: date) -> None:
    """截止提醒: a hospital is reminded once of a claimed statement it must confirm within CONFIRM_REMINDER_DAYS."""
    for s in SettlementStatement.objects.filter(
        status=S.CLAIMED, confirm_due_on__gte=today, confirm_due_on__lte=today + timedelta(days=CONFIRM_REMINDER_DAYS)
    ):
        notify(
            s.hospital_id,
            "deadline",
            Message(
                gettext_noop("请于 %(due)s 前确认结算单 %(number)s"),
                {"due": f"{s.confirm_due_on:%Y-%m-%d}", "number": s.number},
            ),
            body=Message(gettext_noop("逾期未确认的结算单视同确认。")),
            link=reverse("settlement:detail", args=[s.pk]),
            level=Notification.Level.WARNING,
            topic=f"confirm_due:{s.pk}",
        )
