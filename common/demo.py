"""Shared state for the demo seeders of each app (see the seed_demo command)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, User
from pricing.models import Inquiry, PriceAlert
from settlement.models import SettlementStatement

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
                f"价格监测新增 {open_alerts} 条预警",
                "夜间价格扫描发现的异常价格，请在预警工作台处理。",
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
                f"价格函询：{inquiry.alert.summary}"[:200],
                f"请于 {inquiry.reply_due:%Y-%m-%d} 前在平台回复。",
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
                f"请于 {s.confirm_due_on or s.payment_due_on:%Y-%m-%d} 前确认结算单 {s.number}",
                "逾期未确认的结算单视同确认。",
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
                    f"结算单 {s.number} 逾期未付（应付日 {s.payment_due_on:%Y-%m-%d}）",
                    f"{s.hospital} → {s.manufacturer}，结算金额 ¥{s.amount:,.2f}。",
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
                "本月带量采购报量将于 5 日后截止",
                "请在报量页面核对并提交本机构的年度需求量。",
                reverse("tenders:list"),
                5,
            )
        )
    made = 0
    now = timezone.now()
    for i, (org, kind, level, title, body, link, days_ago) in enumerate(notes):
        note, created = Notification.objects.get_or_create(
            organization_id=org,
            kind=kind,
            topic=f"demo:{kind}:{i}",
            defaults={
                "level": level,
                "title": title,
                "body": body,
                "link": link,
                "read_at": now if days_ago >= 5 else None,
            },
        )
        if created:
            Notification.objects.filter(pk=note.pk).update(created_at=now - timedelta(days=days_ago, hours=i))
            made += 1
    return f"站内通知 {made} 条"
