"""Shared state for the demo seeders of each app (see the seed_demo command)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Organization, User
from common.templatetags.display import format_money
from pricing.models import Inquiry, PriceAlert
from settlement.models import SettlementStatement

from .messages import Message, text_of
from .models import Notification

DEMO_PASSWORD = "Demo@2026"


@dataclass
class DemoContext:
    rng: random.Random
    stdout: object = None
    style: object = None
    password: str = DEMO_PASSWORD
    logins: list[tuple[str, str]] = field(default_factory=list)

    def sub_rng(self, name: str) -> random.Random:
        """A generator of its own per seeder, so adding data to one app does not reshuffle another's."""
        return random.Random(f"seed-demo-{name}")


def seed_late(ctx: DemoContext) -> str:
    """Inbox notifications of every kind for the demo logins (after every app's data exists), a few already read,
    and an e-mail address for each demo user so the mails show on the console."""
    for user in User.objects.filter(email=""):
        user.email = f"{user.username}@demo.yaoxie.example.gov.cn"
        user.save(update_fields=["email"])
    users = {u.username: u for u in User.objects.filter(username__in=["official", "fund", "buyer", "mfr", "mfr2"])}
    if len(users) < 5:
        return "缺少演示用户，跳过"
    agency = users["official"].organization_id
    notes = []
    open_alerts = PriceAlert.objects.filter(status=PriceAlert.Status.OPEN).count()
    if open_alerts:
        notes.append(
            (
                agency,
                "price_alert",
                "warning",
                Message(gettext_noop("价格监测新增 %(opened)s 条预警"), {"opened": open_alerts}),
                Message(gettext_noop("夜间价格扫描发现的异常价格，请在预警工作台处理。")),
                reverse("pricing:alert-list"),
                0,
            )
        )
    for inquiry in Inquiry.objects.select_related("alert")[:3]:
        notes.append(
            (
                inquiry.recipient_id,
                "inquiry",
                "warning",
                Message(
                    gettext_noop("价格函询：%(summary)s"),
                    {
                        "summary": Message(**inquiry.alert.summary_message)
                        if inquiry.alert.summary_message
                        else inquiry.alert.summary
                    },
                ),
                Message(gettext_noop("请于 %(due)s 前在平台回复。"), {"due": f"{inquiry.reply_due:%Y-%m-%d}"}),
                reverse("pricing:inquiry-list"),
                1,
            )
        )
    statements = list(SettlementStatement.objects.select_related("hospital", "manufacturer").order_by("pk")[:3])
    for s in statements[:1]:
        notes.append(
            (
                s.hospital_id,
                "deadline",
                "warning",
                Message(
                    gettext_noop("请于 %(due)s 前确认结算单 %(number)s"),
                    {"due": f"{s.confirm_due_on or s.payment_due_on:%Y-%m-%d}", "number": s.number},
                ),
                Message(gettext_noop("逾期未确认的结算单视同确认。")),
                reverse("settlement:detail", args=[s.pk]),
                2,
            )
        )
    for s in statements[1:2]:
        for org in (s.manufacturer_id, agency):
            notes.append(
                (
                    org,
                    "overdue_payment",
                    "warning",
                    Message(
                        gettext_noop("结算单 %(number)s 逾期未付（应付日 %(due)s）"),
                        {"number": s.number, "due": f"{s.payment_due_on:%Y-%m-%d}"},
                    ),
                    Message(
                        gettext_noop("%(hospital)s → %(manufacturer)s，结算金额 %(amount)s，已付 %(paid)s。"),
                        {
                            "hospital": s.hospital,
                            "manufacturer": s.manufacturer,
                            "amount": format_money(s.amount),
                            "paid": format_money(s.paid_amount),
                        },
                    ),
                    reverse("settlement:detail", args=[s.pk]),
                    3,
                )
            )
    for org in Organization.objects.filter(users__username__in=["buyer", "buyer_mn"]).distinct():
        notes.append(
            (
                org.pk,
                "deadline",
                "info",
                Message(gettext_noop("本月带量采购报量将于 %(days)s 日后截止"), {"days": 5}),
                Message(gettext_noop("请在报量页面核对并提交本机构的年度需求量。")),
                reverse("tenders:list"),
                5,
            )
        )
    made = 0
    now = timezone.now()
    for i, (org, kind, level, title_message, body_message, link, days_ago) in enumerate(notes):
        title, title_json = text_of(title_message)
        body, body_json = text_of(body_message)
        note, created = Notification.objects.get_or_create(
            organization_id=org,
            kind=kind,
            topic=f"demo:{kind}:{i}",
            defaults={
                "level": level,
                "title": title[:200],
                "body": body,
                "message": {"title": title_json, "body": body_json},
                "link": link,
                "read_at": now if days_ago >= 5 else None,
            },
        )
        if created:
            Notification.objects.filter(pk=note.pk).update(created_at=now - timedelta(days=days_ago, hours=i))
            made += 1
    return f"站内通知 {made} 条"
