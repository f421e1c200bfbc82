"""The fund position over the API and on the pages: budgets entered and imported, bad input refused with the field
named and nothing written, lists scoped to the hospital and costing no query per row, savings awards reviewed and
paid (a hospital that did not qualify: 400), the officers' and the hospital's pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from settlement.generation import fund_for_hospital
from settlement.models import BudgetAllocation, BudgetMonthSettlement, InsuranceClaim, JournalEntry, SavingsAward
from settlement.services import budgets
from tests.factories import AgencyFactory, HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year - 1


@pytest.fixture
def officer():
    return UserFactory(organization=AgencyFactory(), roles=["fund_officer"])


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_budget_over_the_api_and_its_bad_inputs(officer):
    hospital = HospitalFactory()
    c = api(officer)
    body = {"hospital": hospital.pk, "year": YEAR, "months": ["100.00"] * 12}
    response = c.post("/api/v1/settlement/budgets/", body, format="json")
    assert response.status_code == 201 and response.json()["total"] == "1200.00"
    assert response.json()["months"] == ["100.00"] * 12
    for bad, field, code in (
        ({"hospital": 99999999}, "hospital", "hospital_unknown"),
        ({"months": ["1"] * 11 + ["-0.01"]}, "months.12", "budget_month_negative"),
        ({"months": ["1"] * 3}, "months", "budget_months_required"),
    ):
        response = c.post("/api/v1/settlement/budgets/", {**body, "year": YEAR - 1, **bad}, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["field"] == field and response.json()["code"] == code
    assert BudgetAllocation.objects.count() == 1


def test_a_hospital_may_read_only_its_own_and_may_not_write(officer):
    mine, other = HospitalFactory(), HospitalFactory()
    for h in (mine, other):
        budgets.budget_set(hospital_id=h.pk, year=YEAR, months=["10"] * 12, by=officer)
    buyer = UserFactory(organization=mine, roles=["hospital_admin"])
    rows = api(buyer).get("/api/v1/settlement/budgets/").json()["results"]
    assert [r["hospital"] for r in rows] == [mine.pk]
    response = api(buyer).post(
        "/api/v1/settlement/budgets/", {"hospital": mine.pk, "year": YEAR, "months": ["1"] * 12}, format="json"
    )
    assert response.status_code == 403
    assert api(buyer).post("/api/v1/settlement/year-end/", {"year": YEAR}, format="json").status_code == 403


def test_the_budget_list_costs_no_query_per_row(officer):
    hospitals = [HospitalFactory() for _ in range(6)]
    for h in hospitals:
        budgets.budget_set(hospital_id=h.pk, year=YEAR, months=["10"] * 12, by=officer)
    c = api(officer)
    counts = []
    for size in (1, 6):
        c.get("/api/v1/settlement/budgets/", {"page_size": size})
        with CaptureQueriesContext(connection) as queries:
            assert len(c.get("/api/v1/settlement/budgets/", {"page_size": size}).json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_files_months_and_year_end_over_the_api(officer):
    h = HospitalFactory()
    c = api(officer)
    months = ",".join(f"{m}月" for m in range(1, 13))
    budget_csv = f"医疗机构代码,年度,{months}\n{h.uscc},{YEAR},{','.join(['1000'] * 12)}\n"
    response = c.post(
        "/api/v1/settlement/budget-files/",
        {"file": SimpleUploadedFile("budgets.csv", budget_csv.encode())},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["budgets"] == 1, response.content.decode()
    bad = f"医疗机构代码,月份,申报金额\n{h.uscc},{YEAR}-01,1200\nUNKNOWN,{YEAR}-02,5\n"
    response = c.post(
        "/api/v1/settlement/claim-files/", {"file": SimpleUploadedFile("c.csv", bad.encode())}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["field"] == "rows.3.医疗机构代码"
    assert not InsuranceClaim.objects.exists()
    good = f"医疗机构代码,月份,申报金额\n{h.uscc},{YEAR}-01,1200\n"
    response = c.post(
        "/api/v1/settlement/claim-files/", {"file": SimpleUploadedFile("c.csv", good.encode())}, format="multipart"
    )
    assert response.status_code == 201
    response = c.post("/api/v1/settlement/budget-months/settle/", {"month": f"{YEAR}-01"}, format="json")
    assert response.status_code == 200 and response.json()["settled"] == 1
    month = BudgetMonthSettlement.objects.get(hospital=h)
    assert month.owed == Decimal("1000.00") and month.held == Decimal("200.00")
    assert c.post("/api/v1/settlement/year-end/", {"year": YEAR}, format="json").json()["settled"] == 1
    years = c.get("/api/v1/settlement/budget-years/").json()["results"]
    # budget 12,000 but only January settled: held 200 within the band, half borne by the fund
    assert years[0]["overspend"] == "200.00" and years[0]["fund_share"] == "100.00"
    assert c.get("/api/v1/settlement/budget-months/").json()["results"][0]["paid"] == "1000.00"
    assert c.post("/api/v1/settlement/year-end/", {"year": "二〇二五"}, format="json").status_code == 400


def test_paying_an_award_that_did_not_qualify_is_a_400_and_writes_nothing(officer):
    from tests.settlement.world import build_world

    w = build_world()
    fund = fund_for_hospital(w.hospital)
    award = SavingsAward.objects.create(
        fund=fund,
        hospital=w.hospital,
        tender=w.tender,
        savings=Decimal("100"),
        share=Decimal("0.5"),
        amount=0,
        completion_rate=Decimal("0.4"),
        substitution_rate=0,
        qualified=False,
        reasons=[{"code": "completion_below", "params": {"completion": "0.4", "min_completion": "1.00"}}],
        status="approved",
    )
    entries = JournalEntry.objects.count()
    response = api(officer).post(f"/api/v1/settlement/savings-awards/{award.pk}/pay/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "savings_not_qualified"
    award.refresh_from_db()
    assert award.status == "approved" and JournalEntry.objects.count() == entries
    # the hospital sees the award and why
    rows = api(w.hospital_user).get("/api/v1/settlement/savings-awards/").json()["results"]
    assert rows[0]["reason_texts"] == ["约定采购量完成率 0.4 低于 1.00"]
    assert api(w.hospital_user).post(f"/api/v1/settlement/savings-awards/{award.pk}/pay/").status_code == 403
    response = api(officer).post("/api/v1/settlement/savings-awards/assess/", {"tender": 99999999}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "tender"


def test_pages_for_the_fund_and_the_hospital(officer):
    h = HospitalFactory()
    budgets.budget_set(hospital_id=h.pk, year=YEAR, months=["10"] * 12, by=officer)
    client = Client()
    client.force_login(officer)
    page = client.get(f"/settlement/fund-position/?year={YEAR}")
    assert page.status_code == 200 and h.name in page.content.decode()
    response = client.post(
        f"/settlement/fund-position/?year={YEAR}",
        {"action": "budget", "hospital": "99999999", "year": YEAR, **{f"m{m}": "1" for m in range(1, 13)}},
        follow=True,
    )
    assert "医疗机构不存在" in response.content.decode()
    response = client.post(
        f"/settlement/fund-position/?year={YEAR}",
        {"action": "budget", "hospital": h.pk, "year": YEAR, **{f"m{m}": "1" for m in range(1, 13)}, "m4": "-1"},
        follow=True,
    )
    assert "4月预算不能为负数" in response.content.decode()
    assert BudgetAllocation.objects.get().total == Decimal("120.00")
    buyer = UserFactory(organization=h, roles=["hospital_admin"])
    client.force_login(buyer)
    assert client.get("/settlement/fund-position/").status_code == 403
    page = client.get(f"/settlement/my-position/?year={YEAR}")
    assert page.status_code == 200 and "120.00" in page.content.decode()
    other = HospitalFactory()
    budgets.budget_set(hospital_id=other.pk, year=YEAR, months=["10"] * 12, by=officer)
    assert other.name not in client.get(f"/settlement/my-position/?year={YEAR}").content.decode()
