"""The inbox: unread badge, kinds by role, mark read, e-mail through Django's mail settings, scoping."""

import pytest
from django.core import mail
from django.test import Client

from common.models import Notification
from common.notifications import mail_notifications, notify, unread_count, visible_to


@pytest.fixture
def client_for():
    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notify_writes_once_per_topic_and_mails_after_commit(purchaser):
    purchaser.email = "buyer@example.cn"
    purchaser.save()
    first = notify(
        purchaser.organization, "deadline", "请确认结算单", body="两日内到期", link="/settlement/", topic="t1"
    )
    again = notify(purchaser.organization, "deadline", "请确认结算单", topic="t1")
    assert first is not None and again is None
    assert Notification.objects.filter(topic="t1").count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@example.cn"] and "请确认结算单" in message.subject and "/settlement/" in message.body


@pytest.mark.django_db
def test_kinds_follow_the_role_inside_one_organisation(official, fund_officer):
    note = Notification.objects.create(organization=official.organization, kind="price_alert", title="新增预警")
    Notification.objects.create(organization=official.organization, kind="overdue_payment", title="逾期")
    assert note in visible_to(official) and note not in visible_to(fund_officer)
    assert unread_count(official) == 2 and unread_count(fund_officer) == 1
    fund_officer.email = "fund@example.cn"
    fund_officer.save()
    official.email = "official@example.cn"
    official.save()
    mail.outbox.clear()
    mail_notifications([note.pk])
    assert [m.to for m in mail.outbox] == [["official@example.cn"]]


@pytest.mark.django_db
def test_many_notifications_are_mailed_in_chunks_with_a_fixed_number_of_queries(
    purchaser, other_purchaser, monkeypatch, django_assert_max_num_queries
):
    """A night's progress alerts can be tens of thousands: recipients are read once for all organisations, the
    notifications in chunks, and an organisation without a recipient costs no mail."""
    from common import notifications

    monkeypatch.setattr(notifications, "MAIL_CHUNK", 7)
    purchaser.email = "buyer@example.cn"
    purchaser.save()
    Notification.objects.bulk_create(
        [
            Notification(organization=purchaser.organization, kind="commitment_progress", title=f"进度滞后 {i}")
            for i in range(30)
        ]
        + [
            Notification(organization=other_purchaser.organization, kind="commitment_progress", title="无收件人")
            for _ in range(30)
        ]
    )
    mail.outbox.clear()
    with django_assert_max_num_queries(12):
        sent = mail_notifications(Notification.objects.filter(kind="commitment_progress"))
    assert sent == 30 and len(mail.outbox) == 30
    assert {m.to[0] for m in mail.outbox} == {"buyer@example.cn"}
    assert all("无收件人" not in m.subject for m in mail.outbox)


@pytest.mark.django_db
def test_badge_inbox_open_and_mark_read(purchaser, client_for):
    org = purchaser.organization
    a = Notification.objects.create(organization=org, kind="deadline", title="甲通知", link="/orders/")
    Notification.objects.create(organization=org, kind="commitment_progress", title="乙通知", level="warning")
    client = client_for(purchaser)
    html = client.get("/").content.decode()
    assert 'id="inbox-unread">2' in html
    page = client.get("/inbox/").content.decode()
    assert "甲通知" in page and "乙通知" in page and 'aria-sort="descending"' in page
    assert "⚠" in page  # the warning level is a symbol and a word, not colour alone
    response = client.get(f"/inbox/{a.pk}/")
    assert response.status_code == 302 and response["Location"] == "/orders/"
    assert unread_count(purchaser) == 1
    assert "甲通知" not in client.get("/inbox/?unread=1").content.decode()
    client.post("/inbox/read/", {"all": "1"})
    assert unread_count(purchaser) == 0
    assert 'id="inbox-unread"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_another_organisations_notification_is_404(purchaser, other_purchaser, client_for):
    theirs = Notification.objects.create(organization=other_purchaser.organization, kind="deadline", title="别人的")
    client = client_for(purchaser)
    assert client.get(f"/inbox/{theirs.pk}/").status_code == 404
    assert "别人的" not in client.get("/inbox/").content.decode()
    client.post("/inbox/read/", {"ids": [theirs.pk]})
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.django_db
def test_external_link_is_not_followed(purchaser, client_for):
    note = Notification.objects.create(
        organization=purchaser.organization, kind="deadline", title="x", link="https://evil.example/"
    )
    assert client_for(purchaser).get(f"/inbox/{note.pk}/")["Location"] == "/inbox/"


@pytest.mark.django_db
def test_inbox_exports_xlsx_and_shows_an_empty_state(purchaser, client_for):
    from io import BytesIO

    from openpyxl import load_workbook

    client = client_for(purchaser)
    assert "价格预警、函询、截止提醒和逾期付款会出现在这里" in client.get("/inbox/").content.decode()
    Notification.objects.create(organization=purchaser.organization, kind="deadline", title="导出我")
    response = client.get("/inbox/?format=xlsx&sort=title")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][3] == "标题" and rows[1][3] == "导出我"
