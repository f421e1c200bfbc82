"""The tender pages' forms: each action goes through its service; a refused one shows the error and changes nothing."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook

from common.models import AuditEvent
from procurement.models import Award, Bid, DemandReport, Lot, Tender, TenderEvaluation
from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(tender, action):
    return f"/tenders/{tender.pk}/do/{action}/"


TENDER_FORM = {
    "t-code": "NMG-P-01",
    "t-name": "页面新建批次",
    "t-level": "regional",
    "t-kind": "drugs",
    "t-demand_start": "2027-03-01T09:00",
    "t-demand_end": "2027-03-10T17:00",
    "t-bid_deadline": "2027-03-20T17:00",
    "t-opening_at": "2027-03-21T09:00",
    "t-cycle_start": "2027-06-01",
    "t-cycle_end": "2029-05-31",
    "r-ratio_to_lowest": "1.8",
    "r-discount_from_max": "0.5",
    "r-floor_price": "0.1",
    "r-max_winners_cap": "8",
    "r-exclude_highest": "on",
    "lots-TOTAL_FORMS": "3",
    "lots-INITIAL_FORMS": "0",
    "lots-MIN_NUM_FORMS": "0",
    "lots-MAX_NUM_FORMS": "1000",
    "lots-0-number": "01",
    "lots-0-generic_name": "阿托伐他汀钙片",
    "lots-0-dosage_forms": "片剂、薄膜衣片",
    "lots-0-reference_specification": "20mg",
    "lots-0-max_price": "1.2",
    "lots-0-quality_requirement": "consistency",
    "lots-1-number": "02",
    "lots-1-generic_name": "盐酸二甲双胍片",
    "lots-1-reference_specification": "0.5g",
    "lots-1-max_price": "0.25",
}


@pytest.mark.django_db
def test_official_creates_a_tender_with_lots_and_rules_and_bad_input_creates_nothing(official):
    client = client_for(official)
    assert client.get("/tenders/new/").status_code == 200
    bad_time = {**TENDER_FORM, "t-bid_deadline": "2027-03-05T17:00"}
    response = client.post("/tenders/new/", bad_time)
    assert response.status_code == 400 and "时间顺序" in response.content.decode()
    bad_lot = {**TENDER_FORM, "lots-1-max_price": "0.123456"}
    response = client.post("/tenders/new/", bad_lot)
    assert response.status_code == 400 and "第 2 个品种" in response.content.decode()
    bad_rule = {**TENDER_FORM, "r-ratio_to_lowest": "0.5"}
    assert "中选规则无效" in client.post("/tenders/new/", bad_rule).content.decode()
    assert not Tender.objects.exists() and not Lot.objects.exists()
    response = client.post("/tenders/new/", TENDER_FORM)
    assert response.status_code == 302
    tender = Tender.objects.get(code="NMG-P-01")
    assert list(tender.lots.values_list("number", "quality_requirement")) == [("01", "consistency"), ("02", "")]
    assert tender.lots.get(number="01").dosage_forms == ["片剂", "薄膜衣片"]
    assert tender.rules["max_winners_cap"] == 8
    # A manufacturer cannot create tenders.
    from tests.factories import ManufacturerFactory, UserFactory

    rep = UserFactory(username="pagerep", organization=ManufacturerFactory(), roles=["manufacturer_rep"])
    assert client_for(rep).post("/tenders/new/", {**TENDER_FORM, "t-code": "X"}).status_code == 403


@pytest.mark.django_db
def test_official_runs_demand_collection_sees_coverage_and_cancels(world):
    tender, official, lot = world["tender"], world["official"], world["lot"]
    client = client_for(official)
    html = client.get(f"/tenders/{tender.pk}/").content.decode()
    assert "开始报量" in html and "增加品种" in html
    # a lot with a duplicate number: refused on the form, nothing added
    response = client.post(url(tender, "lot"), {"lot-number": "01", "lot-generic_name": "x", "lot-max_price": "1"})
    assert response.status_code == 400 and "已有品种编号 01" in response.content.decode()
    assert tender.lots.count() == 1
    assert client.post(url(tender, "start-demand")).status_code == 302
    tender.refresh_from_db()
    assert tender.status == "demand_collection"
    # hospitals report through the page; a negative volume is refused with nothing written
    buyer = world["buyers"][0]
    bad = client_for(buyer).post(url(tender, "demand"), {"lot": lot.pk, f"demand{lot.pk}-annual_volume": "-3"})
    assert bad.status_code == 400 and "不能为负数" in bad.content.decode()
    assert not DemandReport.objects.exists()
    ok = client_for(buyer).post(
        url(tender, "demand"),
        {
            "lot": lot.pk,
            f"demand{lot.pk}-annual_volume": "12000",
            f"demand{lot.pk}-named_product": world["products"][1].pk,
        },
    )
    assert ok.status_code == 302
    client_for(world["buyers"][1]).post(url(tender, "demand"), {"lot": lot.pk, f"demand{lot.pk}-annual_volume": "3000"})
    report = DemandReport.objects.get(hospital=buyer.organization)
    assert report.annual_volume == 12000 and report.named_product == world["products"][1]
    # change, then withdraw
    client_for(buyer).post(url(tender, "demand"), {"lot": lot.pk, f"demand{lot.pk}-annual_volume": "15000"})
    assert DemandReport.objects.get(pk=report.pk).annual_volume == 15000
    coverage = client.get(f"/tenders/{tender.pk}/coverage/").content.decode()
    assert "18000" in coverage and "集采测试2医院" in coverage and "集采测试3医院" in coverage
    assert "2 / 4" in coverage
    client_for(buyer).post(url(tender, "demand-withdraw"), {"report": report.pk})
    assert not DemandReport.objects.filter(pk=report.pk).exists()
    # another hospital's report cannot be withdrawn from here
    other = DemandReport.objects.get()
    assert client_for(buyer).post(url(tender, "demand-withdraw"), {"report": other.pk}).status_code == 404
    # cancelling needs a reason
    response = client.post(url(tender, "cancel"), {"cancel-reason": " "})
    assert response.status_code == 400 and "必须填写原因" in response.content.decode()
    assert Tender.objects.get(pk=tender.pk).status == "demand_collection"
    client.post(url(tender, "cancel"), {"cancel-reason": "国家集采已覆盖"})
    assert Tender.objects.get(pk=tender.pk).status == "cancelled"


@pytest.mark.django_db
def test_manufacturer_bids_replaces_and_withdraws_on_the_page_sealed(world):
    to_bidding(world)
    tender, lot, rep = world["tender"], world["lot"], world["reps"][0]
    client = client_for(rep)
    html = client.get(f"/tenders/{tender.pk}/").content.decode()
    assert "提交申报" in html and 'class="countdown"' in html
    assert world["products"][0].nhsa_code in html and world["products"][1].nhsa_code not in html  # own products only
    prefix = f"bid{lot.pk}"
    for price, message in (
        ("abc", "不是有效的数字"),
        ("0", "大于零"),
        ("1.5", "最高有效申报价"),
        ("0.12345", "4 位小数"),
    ):
        response = client.post(
            url(tender, "bid"),
            {
                "lot": lot.pk,
                f"{prefix}-product": world["products"][0].pk,
                f"{prefix}-price": price,
                f"{prefix}-supply_capacity": "1000",
                f"{prefix}-confirm": "on",
            },
        )
        assert response.status_code == 400 and message in response.content.decode(), price
    # another maker's product is not a choice
    response = client.post(
        url(tender, "bid"),
        {
            "lot": lot.pk,
            f"{prefix}-product": world["products"][1].pk,
            f"{prefix}-price": "0.5",
            f"{prefix}-supply_capacity": "1000",
            f"{prefix}-confirm": "on",
        },
    )
    assert response.status_code == 400
    assert not Bid.objects.exists()
    response = client.post(
        url(tender, "bid"),
        {
            "lot": lot.pk,
            f"{prefix}-product": world["products"][0].pk,
            f"{prefix}-price": "0.4444",
            f"{prefix}-supply_capacity": "1000",
            f"{prefix}-confirm": "on",
        },
    )
    assert response.status_code == 200 and "申报回执" in response.content.decode()  # the receipt, once
    bid = Bid.objects.get()
    page = client.get(f"/tenders/{tender.pk}/")
    html = page.content.decode()
    assert "0.4444" not in html and bid.seal_hash in html and "替换申报" in html
    assert "0.4444" not in "".join(str(m) for m in page.context["messages"])
    rprefix = f"replace{bid.pk}"
    bad = client.post(
        url(tender, "replace"),
        {
            "bid": bid.pk,
            f"{rprefix}-product": world["products"][0].pk,
            f"{rprefix}-price": "-1",
            f"{rprefix}-supply_capacity": "1000",
            f"{rprefix}-confirm": "on",
        },
    )
    assert bad.status_code == 400 and Bid.objects.count() == 1
    client.post(
        url(tender, "replace"),
        {
            "bid": bid.pk,
            f"{rprefix}-product": world["products"][0].pk,
            f"{rprefix}-price": "0.3333",
            f"{rprefix}-supply_capacity": "2000",
            f"{rprefix}-confirm": "on",
        },
    )
    live = Bid.objects.get(status="submitted")
    assert live.replaces_id == bid.pk and live.supply_capacity == 2000
    # another manufacturer cannot touch it
    withdraw = {"bid": live.pk, f"withdraw{live.pk}-confirm": "on"}
    assert client_for(world["reps"][1]).post(url(tender, "withdraw"), withdraw).status_code == 404
    # after the deadline the page refuses, and nothing changes
    shift(tender, bid_deadline=timedelta(seconds=-1))
    response = client.post(url(tender, "withdraw"), withdraw)
    assert response.status_code == 409 and "已过申报截止时间" in response.content.decode()
    assert Bid.objects.get(pk=live.pk).status == "submitted"
    assert "提交申报" not in client.get(f"/tenders/{tender.pk}/").content.decode()


@pytest.mark.django_db
def test_open_evaluate_rerun_review_award_and_results(world):
    to_bidding(world)
    tender, official = world["tender"], world["official"]
    lot, reps, products = world["lot"], world["reps"], world["products"]
    svc.bid_submit(lot=lot, product=products[0], price="0.5000", supply_capacity=500000, by=reps[0])
    svc.bid_submit(lot=lot, product=products[1], price="0.8000", supply_capacity=500000, by=reps[1])
    svc.bid_submit(lot=lot, product=world["half"], price="0.3000", supply_capacity=500000, by=reps[2])
    client = client_for(official)
    response = client.post(url(tender, "open"))
    assert response.status_code == 409 and "开标时间未到" in response.content.decode()
    assert "0.5000" not in response.content.decode()
    # results are not there before opening, for anyone
    for user in (official, reps[0], world["buyers"][0]):
        assert client_for(user).get(f"/tenders/{tender.pk}/results/").status_code == 404
        assert client_for(user).get(f"/tenders/{tender.pk}/results.xlsx").status_code == 404
    shift(tender, bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    Tender.objects.filter(pk=tender.pk).update(status="bidding")  # the page's own read would open it; open by hand
    assert client.post(url(tender, "open")).status_code == 302
    assert client.post(url(tender, "evaluate")).status_code == 302
    assert client.post(url(tender, "evaluate")).status_code == 302  # a second run without a reason: no-op
    assert TenderEvaluation.objects.count() == 1
    review = client.get(f"/tenders/{tender.pk}/evaluation/").content.decode()
    assert "为入围报价中的最高价，不予中选" in review and "中选（顺位 1）" in review and "0.5100" in review
    client.post(url(tender, "evaluate"), {"evaluate-rerun_reason": "复核差比价"})
    assert TenderEvaluation.objects.filter(is_current=True).get().run_no == 2
    assert AuditEvent.objects.filter(action="evaluated", note="复核差比价").exists()
    # officials see provisional results after opening; others only after publication
    assert "拟中选" in client.get(f"/tenders/{tender.pk}/results/").content.decode()
    assert client_for(reps[0]).get(f"/tenders/{tender.pk}/results/").status_code == 404
    assert client.post(url(tender, "award")).status_code == 302
    assert Award.objects.count() == 2
    again = client.post(url(tender, "award"))
    assert again.status_code == 409 and Award.objects.count() == 2
    for user in (reps[1], world["buyers"][0]):
        html = client_for(user).get(f"/tenders/{tender.pk}/results/").content.decode()
        assert "0.5000" in html and "有效申报企业 3 家" in html
        assert all(b.seal_hash in html for b in Bid.objects.all())
    response = client_for(reps[1]).get(f"/tenders/{tender.pk}/results.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "批次编号" and len(rows) == 3
    assert [r[5] for r in rows[1:]] == [1, 2] and rows[1][9] == 0.5


@pytest.mark.django_db
def test_submit_replace_and_withdraw_need_the_confirmation_and_write_nothing_without_it(world):
    to_bidding(world)
    tender, lot = world["tender"], world["lot"]
    client = client_for(world["reps"][0])
    prefix = f"bid{lot.pk}"
    fields = {
        "lot": lot.pk,
        f"{prefix}-product": world["products"][0].pk,
        f"{prefix}-price": "0.5",
        f"{prefix}-supply_capacity": "1000",
    }
    html = client.get(f"/tenders/{tender.pk}/").content.decode()
    assert f'name="{prefix}-confirm"' in html and "required" in html.split(f'name="{prefix}-confirm"')[1][:80]
    response = client.post(url(tender, "bid"), fields)
    assert response.status_code == 400 and "请勾选确认后再提交申报" in response.content.decode()
    assert not Bid.objects.exists()
    bid = svc.bid_submit(lot=lot, product=world["products"][0], price="0.5", supply_capacity=10, by=world["reps"][0])
    rprefix = f"replace{bid.pk}"
    response = client.post(
        url(tender, "replace"),
        {
            "bid": bid.pk,
            f"{rprefix}-product": world["products"][0].pk,
            f"{rprefix}-price": "0.4",
            f"{rprefix}-supply_capacity": "10",
        },
    )
    assert response.status_code == 400 and "请勾选确认后再提交申报" in response.content.decode()
    response = client.post(url(tender, "withdraw"), {"bid": bid.pk})
    assert response.status_code == 400 and "请勾选确认后再撤回申报" in response.content.decode()
    assert list(Bid.objects.values_list("pk", "status")) == [(bid.pk, "submitted")]
    response = client.post(url(tender, "withdraw"), {"bid": bid.pk, f"withdraw{bid.pk}-confirm": "on"})
    assert response.status_code == 302 and Bid.objects.get(pk=bid.pk).status == "withdrawn"
