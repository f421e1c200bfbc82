"""The pricing pages: inbox with filters and bulk actions, alert page with chart and actions, credit, shortage, imports,
and the inquiries page of the addressed company."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from pricing.models import Inquiry, PriceAlert
from pricing.services.alerts import alert_assign, alert_send_inquiry
from pricing.services.scan import price_scan_run


@pytest.fixture
def alert(peer_world):
    price_scan_run(full=True)
    return PriceAlert.objects.get()


def test_inbox_filters_export_and_bulk_assign(client, alert, official, purchaser):
    client.force_login(purchaser)
    assert client.get("/pricing/alerts/").status_code == 403
    client.force_login(official)
    page = client.get("/pricing/alerts/?kind=peer_outlier&sort=amount")
    assert page.status_code == 200 and f"#{alert.pk}" in page.content.decode()
    assert f"#{alert.pk}" not in client.get("/pricing/alerts/?kind=volume_spike").content.decode()
    export = client.get("/pricing/alerts/?format=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    r = client.post("/pricing/alerts/bulk/", {"alerts": [alert.pk], "action": "assign", "assignee": official.pk})
    assert r.status_code == 302
    assert PriceAlert.objects.get(pk=alert.pk).status == "in_review"


def test_alert_page_chart_and_actions(client, alert, official, manufacturer):
    client.force_login(official)
    html = client.get(f"/pricing/alerts/{alert.pk}/").content.decode()
    assert "<svg" in html and "pygal-chart" in html and "同类机构价格" in html
    # the months: this hospital's price, the peers' median and count, the deviation in per cent, words not keys
    assert 'data-month="2026-03"' in html and "+158.7%" in html and "{'" not in html and "稳健 z" not in html
    assert alert.hospital.name in html and "价格测试医院00" in html  # the peers by name
    assert 'name="letter"' not in html  # an open case is assigned before a letter is sent
    assert "同类机构中位价" in html and "图表数据（表格）" in html  # legend and the table behind the chart
    # The chart is server-drawn SVG: no chart script, and nothing from another site (only the platform's own app.js).
    assert "cdn" not in html.lower() and "pygal-tooltips" not in html
    assert re.findall(r'<script src="([^"]+)"', html) == ["/static/js/app.js"]
    r = client.post(f"/pricing/alerts/{alert.pk}/dismiss/", {"version": alert.version, "reason": ""}, follow=True)
    assert "必须填写原因" in r.content.decode()
    client.post(f"/pricing/alerts/{alert.pk}/assign/", {"version": 1, "assignee": official.pk})
    html = client.get(f"/pricing/alerts/{alert.pk}/").content.decode()
    # the letter's draft names the hospital and the prices compared
    letter = re.search(r'<textarea name="letter"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert alert.hospital.name in letter and "2.6000" in letter and "1.0050" in letter
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    client.post(
        f"/pricing/alerts/{alert.pk}/inquiry/",
        {"version": 2, "recipient": manufacturer.pk, "letter": "请说明", "reply_due": due},
    )
    stale = client.post(f"/pricing/alerts/{alert.pk}/dismiss/", {"version": 2, "reason": "x"}, follow=True)
    assert "已被他人处理" in stale.content.decode()
    assert PriceAlert.objects.get(pk=alert.pk).status == "inquiry_sent"


def test_company_answers_its_inquiry_in_its_portal(client, alert, official, manufacturer, manufacturer_rep, purchaser):
    alert_assign(alert=alert, assignee=official, by=official)
    inquiry = alert_send_inquiry(
        alert=alert,
        recipient=manufacturer,
        letter="请说明价格依据",
        reply_due=timezone.localdate() + timedelta(days=3),
        by=official,
    )
    client.force_login(purchaser)
    assert "请说明价格依据" not in client.get("/pricing/inquiries/").content.decode()
    client.force_login(manufacturer_rep)
    assert "请说明价格依据" in client.get("/pricing/inquiries/").content.decode()
    client.post(f"/pricing/inquiries/{inquiry.pk}/reply/", {"reply": "原材料涨价"})
    assert Inquiry.objects.get().reply == "原材料涨价"
    assert client.get("/pricing/credit/mine/").status_code == 200


def test_credit_shortage_and_import_pages(client, official):
    client.force_login(official)
    for url in ("/pricing/credit/", "/pricing/shortages/", "/pricing/imports/"):
        assert client.get(url).status_code == 200, url
    r = client.post("/pricing/imports/", {"kind": "observations"}, follow=True)
    assert "请选择文件" in r.content.decode()


def test_a_refused_form_keeps_what_was_typed_and_says_why_next_to_the_field(client, alert, official, manufacturer):
    client.force_login(official)
    client.post(f"/pricing/alerts/{alert.pk}/assign/", {"version": alert.version, "assignee": official.pk})
    version = PriceAlert.objects.get(pk=alert.pk).version
    page = client.post(
        f"/pricing/alerts/{alert.pk}/inquiry/",
        {
            "version": version,
            "recipient": manufacturer.pk,
            "letter": "请说明价格偏高原因",
            "reply_due": "2000-01-01",
        },
        follow=True,
    ).content.decode()
    assert "请说明价格偏高原因</textarea>" in page and 'value="2000-01-01"' in page
    assert (
        'id="inquiry-reply_due-error"' in page
        and 'aria-invalid="true" aria-describedby="inquiry-reply_due-error"' in page
    )
    assert '<label for="inquiry-letter">' in page  # every input has its label
    again = client.get(f"/pricing/alerts/{alert.pk}/").content.decode()
    assert "请说明价格偏高原因" not in again  # remembered once, for the page after the refusal


def test_inbox_sorts_by_column_and_exports_only_the_filtered_alerts(client, alert, official):
    from decimal import Decimal

    from tests.utils import xlsx_rows

    spike = PriceAlert.objects.get(pk=alert.pk)
    spike.pk = None
    spike.kinds, spike.amount_at_stake, spike.score = ["volume_spike"], Decimal("1.00"), alert.score + 1
    spike.subject_key, spike.hospital = "province", None
    spike.save()
    client.force_login(official)
    html = client.get("/pricing/alerts/").content.decode()
    assert html.index(f"#{spike.pk}<") < html.index(f"#{alert.pk}<")  # the default preset: most severe first
    html = client.get("/pricing/alerts/?sort=amount_at_stake").content.decode()
    assert html.index(f"#{spike.pk}<") < html.index(f"#{alert.pk}<") and 'aria-sort="ascending"' in html
    html = client.get("/pricing/alerts/?sort=-amount_at_stake").content.decode()
    assert html.index(f"#{alert.pk}<") < html.index(f"#{spike.pk}<")
    rows = xlsx_rows(client.get("/pricing/alerts/?kind=volume_spike&format=xlsx"))
    assert rows[0][0] == "案件编号" and [r[0] for r in rows[1:]] == [spike.pk]


def test_credit_records_sort_and_export_only_the_filtered_records(
    client, official, manufacturer, distributor, manufacturer_rep
):
    from datetime import date

    from pricing.models import CreditRecord
    from pricing.services.credit import credit_record_create
    from tests.utils import xlsx_rows

    kept = credit_record_create(
        organization=manufacturer, behaviour="tax", level="general", evidence="甲", start=date(2026, 1, 1), by=official
    )
    gone = credit_record_create(
        organization=distributor, behaviour="tax", level="general", evidence="乙", start=date(2026, 2, 1), by=official
    )
    client.force_login(official)
    html = client.get("/pricing/credit/").content.decode()
    assert html.index(distributor.name) < html.index(manufacturer.name)  # newest first
    html = client.get("/pricing/credit/?sort=start").content.decode()
    assert html.index(manufacturer.name) < html.index(distributor.name) and 'aria-sort="ascending"' in html
    CreditRecord.objects.filter(pk=gone.pk).update(status=next(v for v in CreditRecord.Status.values if v != "active"))
    rows = xlsx_rows(client.get("/pricing/credit/?status=active&format=xlsx"))
    assert rows[0][0] == "企业" and [r[0] for r in rows[1:]] == [kept.organization.name]
    client.force_login(manufacturer_rep)
    assert client.get("/pricing/credit/?format=xlsx").status_code == 403


def test_shortages_sort_and_export_only_the_filtered_alerts(client, official, manufacturer_rep):
    from datetime import date

    from pricing.models import ShortageAlert
    from tests.catalog.test_search import make
    from tests.utils import xlsx_rows

    older = ShortageAlert.objects.create(
        product=make("阿司匹林肠溶片", "XC10AAA128A001010100002"),
        reason="stock_out",
        first_detected_on=date(2026, 1, 1),
        last_detected_on=date(2026, 1, 2),
    )
    newer = ShortageAlert.objects.create(
        product=make("布洛芬缓释胶囊", "XC10AAA128A001010100001"),
        reason="stock_out",
        first_detected_on=date(2026, 2, 1),
        last_detected_on=date(2026, 2, 2),
        status="closed",
    )
    client.force_login(official)
    html = client.get("/pricing/shortages/?status=").content.decode()
    assert html.index("布洛芬缓释胶囊") < html.index("阿司匹林肠溶片")  # most recently detected first
    html = client.get("/pricing/shortages/?status=&sort=last_detected_on").content.decode()
    assert html.index("阿司匹林肠溶片") < html.index("布洛芬缓释胶囊") and 'aria-sort="ascending"' in html
    rows = xlsx_rows(client.get("/pricing/shortages/?status=open&format=xlsx"))
    assert rows[0][0] == "通用名" and [r[0] for r in rows[1:]] == [older.product.generic_name]
    assert newer.product.generic_name not in str(rows)
    client.force_login(manufacturer_rep)
    assert client.get("/pricing/shortages/?format=xlsx").status_code == 403


def test_inquiries_sort_and_export_only_the_organisations_own(
    client, alert, official, manufacturer, distributor, manufacturer_rep
):
    from tests.utils import xlsx_rows

    today = timezone.localdate()
    later = Inquiry.objects.create(
        alert=alert, recipient=manufacturer, letter="后到期", sent_by=official, reply_due=today + timedelta(days=9)
    )
    sooner = Inquiry.objects.create(
        alert=alert, recipient=manufacturer, letter="先到期", sent_by=official, reply_due=today + timedelta(days=2)
    )
    Inquiry.objects.create(alert=alert, recipient=distributor, letter="别家的函询", sent_by=official, reply_due=today)
    client.force_login(manufacturer_rep)
    html = client.get("/pricing/inquiries/").content.decode()
    assert html.index("先到期") < html.index("后到期") and "别家的函询" not in html  # newest first
    html = client.get("/pricing/inquiries/?sort=-reply_due").content.decode()
    assert html.index("后到期") < html.index("先到期") and 'aria-sort="descending"' in html
    rows = xlsx_rows(client.get("/pricing/inquiries/?sort=reply_due&format=xlsx"))
    assert rows[0][0] == "编号" and [r[0] for r in rows[1:]] == [sooner.pk, later.pk]


def _error_beside(html: str, name: str, form: str, message: str) -> str:
    """The input `name` of `form` is marked invalid and its error message follows it; returns the input tag."""
    import re

    error_id = f"{form}-{name}-error"
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*aria-describedby="{error_id}"[^>]*>', html)
    assert tag and 'aria-invalid="true"' in tag.group(0) and "autofocus" in tag.group(0), html[:2000]
    error = re.search(rf'<p class="field-error" id="{error_id}" role="alert">(.*?)</p>', html)
    assert error and message in error.group(1)
    assert 0 < html.index(error.group(0)) - html.index(tag.group(0)) < 400
    return tag.group(0)


def test_bulk_dismiss_without_a_reason_keeps_the_ticked_alerts(client, alert, official):
    client.force_login(official)
    html = client.post(
        "/pricing/alerts/bulk/", {"alerts": [alert.pk], "action": "dismiss", "reason": "  "}, follow=True
    ).content.decode()
    assert PriceAlert.objects.get(pk=alert.pk).status == "open"  # nothing changed
    _error_beside(html, "reason", "bulk", "原因")
    assert f'value="{alert.pk}" aria-label="选择 #{alert.pk}" checked' in html
    assert "checked" not in client.get("/pricing/alerts/").content.decode().split('name="alerts"')[1][:120]  # once


def test_shortage_close_and_credit_repair_say_what_is_missing_beside_the_note(client, official, manufacturer):
    from datetime import date

    from pricing.models import ShortageAlert
    from tests.catalog.test_search import make
    from tests.pricing.test_credit import make as make_record

    shortage = ShortageAlert.objects.create(
        product=make("阿司匹林肠溶片", "XC10AAA128A001010100002"),
        reason="stock_out",
        first_detected_on=date(2026, 1, 1),
        last_detected_on=date(2026, 1, 2),
    )
    record = make_record(official, manufacturer)
    client.force_login(official)
    html = client.post(f"/pricing/shortages/{shortage.pk}/close/", {"note": ""}, follow=True).content.decode()
    _error_beside(html, "note", f"shortage-{shortage.pk}", "请填写解除说明")
    html = client.post(f"/pricing/credit/{record.pk}/repair/", {"note": " "}, follow=True).content.decode()
    _error_beside(html, "note", f"repair-{record.pk}", "请填写修复说明")
    assert ShortageAlert.objects.get(pk=shortage.pk).status == "open"  # nothing changed
    assert type(record).objects.get(pk=record.pk).status == "active"


def test_inbox_filters_are_checked_and_status_options_are_distinct(client, alert, official):
    client.force_login(official)
    html = client.get("/pricing/alerts/").content.decode()
    status_select = re.search(r'<select name="status".*?</select>', html, re.S).group(0)
    values = re.findall(r'<option value="([^"]*)"', status_select)
    assert len(values) == len(set(values)) and {"active", "open", "closed"} <= set(values)
    for query in ("status=bogus", "kind=bogus", "severity=7", "period_to=someday", "min_amount=很多"):
        assert client.get(f"/pricing/alerts/?{query}").status_code == 400, query
    # filters that work: open only (待处理) vs every open state (未办结), amount, period, grouping
    assert f"#{alert.pk}<" in client.get("/pricing/alerts/?status=open").content.decode()
    assert f"#{alert.pk}<" not in client.get("/pricing/alerts/?status=closed").content.decode()
    assert f"#{alert.pk}<" not in client.get("/pricing/alerts/?min_amount=1000000").content.decode()
    assert f"#{alert.pk}<" in client.get("/pricing/alerts/?period_from=2026-03&period_to=2026-03").content.decode()
    assert f"#{alert.pk}<" not in client.get("/pricing/alerts/?period_from=2026-04").content.decode()
    grouped = client.get("/pricing/alerts/?group=hospital").content.decode()
    assert 'id="groups"' in grouped and alert.hospital.name in grouped
