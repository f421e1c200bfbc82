"""Settlement API and pages: scoping, the workflow through HTTP, reports and exports."""

from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from settlement.generation import generate_statements
from settlement.models import Payment, SettlementStatement
from settlement.services.corrections import price_correction_create
from tests.settlement.test_workflow import _xlsx
from tests.settlement.world import build_world, give_back, month_start, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    period = month_start(1)
    first = receive(w, packs=7, on=period + timedelta(days=2))
    give_back(first, packs=1, on=period + timedelta(days=5))
    receive(w, hospital=w.far_hospital, packs=4, on=period + timedelta(days=4))
    generate_statements(month=period)
    return w


def client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_statements_are_scoped(world):
    mine = SettlementStatement.objects.get(hospital=world.hospital)
    assert {s["id"] for s in client(world.maker_rep).get("/api/v1/settlement/statements/").json()["results"]} == set(
        SettlementStatement.objects.values_list("pk", flat=True)
    )
    assert client(world.other_rep).get("/api/v1/settlement/statements/").json()["results"] == []
    assert client(world.other_rep).get(f"/api/v1/settlement/statements/{mine.pk}/").status_code == 404
    hospital_rows = client(world.hospital_user).get("/api/v1/settlement/statements/").json()["results"]
    assert [r["id"] for r in hospital_rows] == [mine.pk]
    assert len(client(world.fund_officer).get("/api/v1/settlement/statements/").json()["results"]) == 2


def test_workflow_over_the_api(world):
    s = SettlementStatement.objects.get(hospital=world.hospital)
    url = f"/api/v1/settlement/statements/{s.pk}/"
    response = client(world.other_rep).post(url + "claim/", {"invoice_numbers": ["12345678"]}, format="json")
    assert response.status_code == 404
    response = client(world.maker_rep).post(url + "claim/", {"invoice_numbers": ["12345678"]}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "claimed"
    response = client(world.fund_officer).post(url + "approve/")
    assert response.status_code == 409 and response.json()["code"] == "not_confirmed"
    assert response.json()["detail"].startswith(f"结算单 {s.number} 尚未经医疗机构确认")
    line_id = response and client(world.hospital_user).get(url).json()["lines"][0]["id"]
    response = client(world.hospital_user).post(url + "review/", {"disputes": {str(line_id): ""}}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "disputes"
    assert response.json()["code"] == "dispute_reason_required"
    response = client(world.hospital_user).post(url + "review/", {}, format="json")
    assert response.json()["status"] == "hospital_confirmed"
    response = client(world.fund_officer).post(
        "/api/v1/settlement/statements/bulk-approve/", {"statement_ids": [s.pk]}, format="json"
    )
    assert response.status_code == 200 and response.json()[0]["status"] == "approved"
    response = client(world.fund_officer).post(
        url + "payments/", {"amount": "999.00", "reference": "B1"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "over_approved" and Payment.objects.count() == 0
    response = client(world.fund_officer).post(url + "payments/", {"amount": "30.74", "reference": "B1"}, format="json")
    assert response.json()["status"] == "paid" and response.json()["paid_amount"] == "30.74"
    response = client(world.maker_rep).post(url + "invoices/", {"invoice_numbers": ["99999999"]}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "paid"
    response = client(world.maker_rep).post(url + "approve/")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    report = client(world.fund_officer).get(f"/api/v1/settlement/reconciliation/?period={s.period:%Y-%m}").json()
    assert report["totals"]["ledger_paid"] == "30.74" and all(not r["differences"] for r in report["rows"])
    balances = client(world.hospital_user).get("/api/v1/settlement/balances/").json()["results"]
    assert [b["balance"] for b in balances] == ["30.74"]


def test_payment_file_over_the_api_is_all_or_nothing(world):
    s = SettlementStatement.objects.get(hospital=world.hospital)
    s.status = "approved"
    s.approved_amount = s.amount
    s.save()
    c = client(world.fund_officer)
    bad = _xlsx([[s.number, "10.00", "B-1", None], ["NOPE", "1", "B-2", None]])
    bad.name = "bank.xlsx"
    response = c.post("/api/v1/settlement/payment-files/", {"file": bad}, format="multipart")
    assert (
        response.status_code == 400 and response.json()["rows"][1]["result"] == "error" and Payment.objects.count() == 0
    )
    assert response.json()["rows"][1]["code"] == "statement_number_unknown" and response.json()["rows"][0]["code"] == ""
    body = response.json()
    assert (body["code"], body["field"]) == ("payment_file_rows_invalid", "file")
    assert [(e["code"], e["field"]) for e in body["errors"]] == [("statement_number_unknown", "rows.3")]
    good = _xlsx([[s.number, "10.00", "B-1", None]])
    good.name = "bank.xlsx"
    response = c.post("/api/v1/settlement/payment-files/", {"file": good}, format="multipart")
    assert response.status_code == 200 and Payment.objects.count() == 1


def test_prepayment_and_generation_over_the_api(world):
    c = client(world.fund_officer)
    response = c.post(
        "/api/v1/settlement/prepayments/", {"hospital": world.hospital.pk, "tender": world.tender.pk}, format="json"
    )
    assert response.status_code == 201 and response.json()["amount"] == "1536.90"
    assert (
        client(world.hospital_user).get("/api/v1/settlement/prepayments/").json()["results"][0]["amount"] == "1536.90"
    )
    assert client(world.other_rep).get("/api/v1/settlement/prepayments/").json()["results"] == []
    response = c.post("/api/v1/settlement/generate/", {"month": f"{month_start(1):%Y-%m}"}, format="json")
    assert response.json()["statements_created"] == 0
    assert (
        client(world.maker_rep).post("/api/v1/settlement/generate/", {"month": "2026-01"}, format="json").status_code
        == 403
    )
    savings = c.get(f"/api/v1/settlement/retained-savings/?tender={world.tender.pk}").json()["results"]
    assert {r["hospital"] for r in savings} == {world.hospital.name, world.far_hospital.name}


def test_pages_for_each_portal(world, client):
    s = SettlementStatement.objects.get(hospital=world.hospital)
    for user, names in (
        (
            world.fund_officer,
            [
                "/settlement/",
                f"/settlement/{s.pk}/",
                "/settlement/overdue/",
                "/settlement/balances/",
                "/settlement/payments/import/",
                f"/settlement/reconciliation/?period={s.period:%Y-%m}",
                "/settlement/retained-savings/",
            ],
        ),
        (world.maker_rep, ["/settlement/", f"/settlement/{s.pk}/", "/settlement/overdue/"]),
        (world.hospital_user, ["/settlement/", f"/settlement/{s.pk}/", "/settlement/balances/"]),
    ):
        client.force_login(user)
        for url in names:
            assert client.get(url).status_code == 200, (user, url)
    client.force_login(world.other_rep)
    assert client.get(f"/settlement/{s.pk}/").status_code == 404
    assert client.get("/settlement/reconciliation/").status_code == 403
    client.force_login(world.fund_officer)
    response = client.get(f"/settlement/reconciliation/?period={s.period:%Y-%m}&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(f"/settlement/retained-savings/?tender={world.tender.pk}&format=xlsx").status_code == 200
    assert client.get("/settlement/balances/?format=xlsx").status_code == 200


def test_claim_confirm_approve_pay_through_the_pages(world, client):
    s = SettlementStatement.objects.get(hospital=world.hospital)
    url = f"/settlement/{s.pk}/"
    client.force_login(world.maker_rep)
    client.post(url, {"action": "claim", "invoice_numbers": "12345678,23456789"})
    client.force_login(world.hospital_user)
    line = s.lines.get()
    client.post(url, {"action": "review", f"disputed_{line.pk}": "1", f"dispute_{line.pk}": "数量不符"})
    s.refresh_from_db()
    assert s.status == "draft" and s.lines.get().dispute_reason == "数量不符"
    client.force_login(world.maker_rep)
    client.post(url, {"action": "claim", "invoice_numbers": "12345678", "response": "已核对，数量无误"})
    client.force_login(world.hospital_user)
    client.post(url, {"action": "review"})
    client.force_login(world.fund_officer)
    client.post("/settlement/", {"statement_ids": [s.pk], "confirm": "1"})
    client.post(url, {"action": "pay", "amount": "30.74", "reference": "B-77", "confirm": "1"})
    s.refresh_from_db()
    assert s.status == "paid" and s.paid_amount == Decimal("30.74")
    page = client.get(url).content.decode()
    assert "B-77" in page and "已核对，数量无误" in page


def test_statement_and_reports_export_as_pdf_in_chinese(world, client):
    s = SettlementStatement.objects.get(hospital=world.hospital)
    client.force_login(world.maker_rep)
    response = client.get(f"/settlement/{s.pk}/?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{s.number}.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and b"/STSong-Light" in pdf and b"/UniGB-UCS2-H" in pdf  # Chinese CID font
    assert client.get(f"/settlement/{s.pk}/?format=xlsx")["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(world.other_rep)
    assert client.get(f"/settlement/{s.pk}/?format=pdf").status_code == 404
    client.force_login(world.fund_officer)
    for url in (
        f"/settlement/reconciliation/?period={s.period:%Y-%m}&format=pdf",
        "/settlement/balances/?format=pdf",
        f"/settlement/retained-savings/?tender={world.tender.pk}&format=pdf",
        "/settlement/overdue/?format=pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response.content.startswith(b"%PDF-"), url


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_list_page_generates_a_region_month_as_a_background_job(settings, client):
    from common.models import Job

    settings.CELERY_TASK_ALWAYS_EAGER = True
    w = build_world()
    period = month_start(1)
    receive(w, packs=7, on=period + timedelta(days=2))
    receive(w, hospital=w.far_hospital, packs=4, on=period + timedelta(days=4))
    client.force_login(w.fund_officer)
    page = client.get("/settlement/").content.decode()
    assert 'id="generate-statements"' in page and 'action="/jobs/start/settlement.generate/"' in page
    # bad input is refused on the list page and starts nothing
    for data, error in (
        ({"month": "2999-01"}, "尚未结束"),
        ({"month": "2026-13x"}, "格式应为"),
        ({"month": f"{period:%Y-%m}", "region": "999999"}, "统筹区代码 999999 不存在"),
        ({"month": f"{period:%Y-%m}", "region": "150000"}, "不存在"),
    ):
        response = client.post("/jobs/start/settlement.generate/", {**data, "back": "/settlement/"}, follow=True)
        assert response.redirect_chain[-1][0] == "/settlement/" and error in response.content.decode(), data
    assert not Job.objects.exists()
    response = client.post(
        "/jobs/start/settlement.generate/", {"month": f"{period:%Y-%m}", "region": "150100", "back": "/settlement/"}
    )
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/" and job.params == {"month": f"{period:%Y-%m}", "region": "150100"}
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and "结算单已生成：新建 1 张" in job.message
    assert job.link == f"/settlement/?period={period:%Y-%m}"
    assert list(SettlementStatement.objects.values_list("hospital", flat=True)) == [w.hospital.pk]
    detail = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-result-link"' in detail and "150100" in detail


def test_price_adjustment_lines_show_their_original_statement_in_page_api_and_exports(client):
    import io

    from openpyxl import load_workbook

    w = build_world("P")
    two_back = month_start(2)
    receive(w, packs=3, on=two_back + timedelta(days=2))  # 30 × 0.5123 = 15.37
    generate_statements(month=two_back)
    original = SettlementStatement.objects.get()
    price_correction_create(
        listing=w.listing, unit_price="0.4987", effective_from=two_back, reason="联动下调", by=w.fund_officer
    )  # −0.0136 × 30 = −0.41
    generate_statements(month=month_start(1))
    later = SettlementStatement.objects.get(period=month_start(1))
    assert later.amount == Decimal("-0.41")

    client_api = APIClient()
    client_api.force_authenticate(w.hospital_user)
    line = client_api.get(f"/api/v1/settlement/statements/{later.pk}/").json()["lines"][0]
    assert (line["kind"], line["kind_label"], line["original_statement"], line["amount"]) == (
        "price_adjustment",
        "已结算后价格更正",
        original.number,
        "-0.41",
    )
    client.force_login(w.maker_rep)
    page = client.get(f"/settlement/{later.pk}/").content.decode()
    assert "已结算后价格更正" in page and original.number in page and f"/settlement/{original.pk}/" in page
    sheet = load_workbook(io.BytesIO(client.get(f"/settlement/{later.pk}/?format=xlsx").content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert original.number in values and "原结算单" in values
    response = client.get(f"/settlement/{later.pk}/?format=pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
