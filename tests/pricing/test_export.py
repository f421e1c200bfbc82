"""The export of the filtered case list (page and API): CSV and XLSX, Chinese headers, labels not codes, amounts
formatted, only the cases the filters select; a bad format or filter is a 400 naming it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from pricing.models import PriceAlert
from pricing.services.scan import price_scan_run


@pytest.fixture
def cases(peer_world):
    """The scan's case (a peer outlier at one hospital) and a province-wide volume case, larger and already closed."""
    price_scan_run(full=True)
    alert = PriceAlert.objects.get()
    other = PriceAlert.objects.get(pk=alert.pk)
    other.pk = None
    other.kinds, other.subject_key, other.hospital = ["volume_spike"], "province", None
    other.amount_at_stake = Decimal("1234567.80")
    other.save()
    # closed, as a dismissal leaves it
    PriceAlert.objects.filter(pk=other.pk).update(status=PriceAlert.Status.DISMISSED)
    return alert, PriceAlert.objects.get(pk=other.pk)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads the Chinese headers as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def _workbook(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def test_the_inbox_exports_the_filtered_cases_as_csv_with_labels_and_formatted_amounts(client, official, cases):
    alert, closed = cases
    client.force_login(official)
    rows = _csv(client.get("/pricing/alerts/?format=csv"))  # the page's default filter: open cases
    header, lines = rows[0], rows[1:]
    assert header[:5] == ["案件编号", "严重程度", "风险评分", "状态", "预警信号"]
    assert "涉及金额（元）" in header and "医疗机构" in header and "统筹区" in header
    assert [int(line[0]) for line in lines] == [alert.pk]
    line = dict(zip(header, lines[0], strict=True))
    assert line["状态"] == "待处理" and line["预警信号"] == "同品种价格离群"
    assert line["医疗机构"] == alert.hospital.name and line["异常期间"] == "2026-03"
    assert line["偏离程度"].endswith("%") and line["监测价格（元/最小单位）"] == "2.6000"
    rows = _csv(client.get("/pricing/alerts/?format=csv&status=closed&kind=volume_spike"))
    line = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2 and line["涉及金额（元）"] == "1,234,567.80" and line["医疗机构"] == "全区"
    assert line["状态"] == str(closed.get_status_display()) and line["预警信号"] == "采购量异常激增"


def test_the_inbox_exports_xlsx_with_number_formats_and_the_filters(client, official, cases):
    alert, closed = cases
    client.force_login(official)
    book = _workbook(client.get("/pricing/alerts/?format=xlsx&status=closed&kind=volume_spike"))
    sheet = book["价格预警案件"]
    header = [c.value for c in sheet[1]]
    amount = sheet.cell(row=2, column=header.index("涉及金额（元）") + 1)
    assert sheet.max_row == 2 and sheet.cell(row=2, column=1).value == closed.pk
    assert amount.value == Decimal("1234567.80") or amount.value == pytest.approx(1234567.80)
    assert amount.number_format == "#,##0.00"
    assert sheet.cell(row=2, column=header.index("偏离程度") + 1).number_format == "0.0%"
    conditions = dict(book["筛选条件"].iter_rows(values_only=True))
    assert conditions["状态"] == "已办结（全部）" and conditions["预警信号"] == "采购量异常激增"


def test_an_unknown_export_format_or_filter_is_refused(client, official, cases):
    client.force_login(official)
    assert client.get("/pricing/alerts/?format=pdf").status_code == 400
    assert client.get("/pricing/alerts/?format=csv&kind=nonsense").status_code == 400


def test_the_api_exports_the_filtered_cases(api, official, purchaser, cases):
    alert, closed = cases
    api.force_authenticate(purchaser)
    assert api.get("/api/v1/price-alerts/export/").status_code == 403
    api.force_authenticate(official)
    rows = _csv(api.get("/api/v1/price-alerts/export/?file_format=csv&status=active"))
    assert [int(r[0]) for r in rows[1:]] == [alert.pk]
    book = _workbook(api.get("/api/v1/price-alerts/export/?kind=volume_spike"))
    assert [r[0] for r in book["价格预警案件"].iter_rows(min_row=2, values_only=True)] == [closed.pk]
    refused = api.get("/api/v1/price-alerts/export/?file_format=pdf")
    assert refused.status_code == 400 and refused.json()["field"] == "file_format"
    refused = api.get("/api/v1/price-alerts/export/?file_format=csv&severity=9")
    assert refused.status_code == 400 and refused.json()["field"] == "severity"


def test_an_unknown_parameter_of_the_case_list_is_refused_by_name(api, official, cases):
    """A misspelt filter would otherwise be ignored and the official would read every case as the filtered ones."""
    api.force_authenticate(official)
    before = PriceAlert.objects.count()
    refused = api.get("/api/v1/price-alerts/?statu=closed")
    assert refused.status_code == 400 and refused.json()["field"] == "statu"
    refused = api.get("/api/v1/price-alerts/export/?kinds=volume_spike")
    assert refused.status_code == 400 and refused.json()["field"] == "kinds"
    assert api.get("/api/v1/price-alerts/?status=closed&page=1&page_size=10").status_code == 200
    assert PriceAlert.objects.count() == before


def test_the_case_history_and_the_letter_read_in_words(client, official, cases):
    """The history names the steps and states (not their codes); a volume case's letter asks about the quantities,
    not a price that is normal."""
    from pricing.selectors import case_months, inquiry_letter, price_history
    from pricing.services.alerts import alert_assign

    alert, closed = cases
    alert_assign(alert=alert, assignee=official, by=official, expected_version=alert.version)
    client.force_login(official)
    page = client.get(f"/pricing/alerts/{alert.pk}/").content.decode()
    assert "指派审核" in page and "待处理 → 审核中" in page and "start_review" not in page
    volume = PriceAlert.objects.get(pk=closed.pk)
    letter = inquiry_letter(volume, case_months(volume, price_history(volume)))
    assert "数量情况" in letter and "采购单价" not in letter and "采购量增加的原因" in letter
    letter = inquiry_letter(alert, case_months(alert, price_history(alert)))
    assert "价格情况" in letter and "采购单价 2.6000 元" in letter and alert.hospital.name in letter
