"""Consumable tenders through the services: lots by class or product system, bids per registration certificate or
per system, intended volumes per brand, evaluation under the tender's rules and awards (revival at its price)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from catalog.models import Product
from common.errors import ConflictError, ValidationFailed
from procurement.models import (
    Award,
    Bid,
    BidComponent,
    Commitment,
    ConsumableBid,
    ConsumableDemand,
    ConsumableTender,
    DemandReport,
    Listing,
)
from procurement.services import tenders as svc
from procurement.services.tenders import consumables as hc
from tests.fixtures.consumables import HIP_ROLES, hc_to_bidding
from tests.fixtures.tenders import shift


@pytest.fixture(autouse=True)
def _chinese():
    """The messages are asserted in Chinese, whatever language an earlier test in this process left active."""
    with translation.override("zh-hans"):
        yield


def test_intended_volumes_per_brand_and_the_hospital_total(hc_world):
    w = hc_world
    hc_to_bidding(w)
    rows = ConsumableDemand.objects.filter(lot=w["lot"], hospital=w["hospitals"][0])
    assert sorted(rows.values_list("volume", flat=True)) == [40, 120, 300]
    report = DemandReport.objects.get(lot=w["lot"], hospital=w["hospitals"][0])
    assert report.annual_volume == 460
    assert report.named_product == w["lenses"][0]  # the brand it reported most of


def test_demand_for_a_drug_or_another_class_is_refused(hc_world):
    w = hc_world
    svc.tender_start_demand_collection(tender=w["tender"], by=w["official"])
    with pytest.raises(ValidationFailed) as exc:
        hc.consumable_demand_report(lot=w["lot"], by=w["buyers"][0], product=w["parts"]["股骨柄"], volume=5)
    assert exc.value.code == "named_product_not_in_lot" and exc.value.field == "product"
    assert not ConsumableDemand.objects.exists() and not DemandReport.objects.exists()


def test_bid_without_a_valid_registration_certificate_is_refused(hc_world):
    w = hc_world
    hc_to_bidding(w)
    with pytest.raises(ValidationFailed) as exc:
        svc.bid_submit(lot=w["lot"], product=w["filed"], price="500", supply_capacity=1000, by=w["reps"][0])
    assert exc.value.code == "registration_invalid" and exc.value.field == "product"
    assert "备案凭证，不是医疗器械注册证" in exc.value.message
    Product.objects.filter(pk=w["lenses"][0].pk).update(approval_number="")  # a certificate removed since
    lens = Product.objects.get(pk=w["lenses"][0].pk)
    with pytest.raises(ValidationFailed) as exc:
        svc.bid_submit(lot=w["lot"], product=lens, price="500", supply_capacity=1000, by=w["reps"][0])
    assert exc.value.code == "registration_invalid"
    assert "未登记医疗器械注册证编号" in exc.value.message
    assert not Bid.objects.exists() and not ConsumableBid.objects.exists()


def test_registration_ok_is_the_single_check(hc_world):
    w = hc_world
    today = timezone.localdate()
    assert hc.registration_ok(w["lenses"][1], today)
    assert not hc.registration_ok(w["filed"], today)
    drug = Product(category="chemical", generic_name="x", approval_number="国药准字H20067255", is_active=True)
    assert not hc.registration_ok(drug, today)


def test_an_expired_recorded_certificate_refuses_the_bid(hc_world):
    """Once the maker records the product's registration certificates (qualifications), one must be valid."""
    from tests.factories import QualificationFactory

    w = hc_world
    hc_to_bidding(w)
    lens = w["lenses"][1]
    today = timezone.localdate()
    QualificationFactory(
        organization=lens.manufacturer,
        product=lens,
        kind="device_registration",
        number=lens.registration_number,
        valid_from=today - timedelta(days=2000),
        valid_to=today - timedelta(days=1),
    )
    assert not hc.registration_ok(lens, today)
    with pytest.raises(ValidationFailed) as exc:
        svc.bid_submit(lot=w["lot"], product=lens, price="500", supply_capacity=1000, by=w["reps"][1])
    assert exc.value.code == "registration_invalid" and "无效" in exc.value.message
    assert not Bid.objects.filter(product=lens).exists()
    QualificationFactory(  # renewed
        organization=lens.manufacturer, product=lens, kind="device_registration", number=lens.registration_number
    )
    assert hc.registration_ok(lens, today)


def test_system_bid_missing_a_required_component_is_refused(hc_world):
    w = hc_world
    hc_to_bidding(w)
    parts = w["parts"]
    components = [hc.Component(role, parts[role]) for role in HIP_ROLES[:3]]  # no 髋臼内衬
    with pytest.raises(ValidationFailed) as exc:
        hc.consumable_bid_submit(
            lot=w["hip"], components=components, price="6000", supply_capacity=100, by=w["reps"][1]
        )
    assert exc.value.code == "system_component_missing" and exc.value.field == "components"
    assert "髋臼内衬" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:  # a single product where the lot wants a system
        svc.bid_submit(lot=w["hip"], product=parts["股骨柄"], price="6000", supply_capacity=100, by=w["reps"][1])
    assert exc.value.code == "system_component_missing"
    wrong_role = [*components, hc.Component("骨水泥", parts["髋臼杯"])]
    with pytest.raises(ValidationFailed) as exc:
        hc.consumable_bid_submit(
            lot=w["hip"], components=wrong_role, price="6000", supply_capacity=100, by=w["reps"][1]
        )
    assert exc.value.code == "unknown_component_role" and exc.value.field == "components[3]"
    assert not Bid.objects.exists() and not BidComponent.objects.exists()


def test_system_bid_with_every_component(hc_world):
    w = hc_world
    hc_to_bidding(w)
    components = [hc.Component(role, w["parts"][role]) for role in HIP_ROLES]
    bid = hc.consumable_bid_submit(
        lot=w["hip"], components=components, price="6000", supply_capacity=100, by=w["reps"][1], system_name="星髋"
    )
    assert bid.product == w["parts"]["股骨柄"] and bid.price is None  # sealed until opening
    assert sorted(bid.components.values_list("role", flat=True)) == sorted(HIP_ROLES)
    assert bid.consumable.system_name == "星髋"


def test_lens_of_another_maker_or_class_is_refused(hc_world):
    w = hc_world
    hc_to_bidding(w)
    with pytest.raises(ValidationFailed) as exc:
        svc.bid_submit(lot=w["lot"], product=w["lenses"][1], price="500", supply_capacity=10, by=w["reps"][0])
    assert exc.value.code == "not_own_product"
    with pytest.raises(ValidationFailed) as exc:
        svc.bid_submit(lot=w["lot"], product=w["parts"]["股骨头"], price="500", supply_capacity=10, by=w["reps"][1])
    assert exc.value.code == "not_consumable_product"
    assert not Bid.objects.exists()


def test_full_path_with_revival_to_awards(hc_world, client):
    w = hc_world
    hc_to_bidding(w)
    prices = ["500", "700", "1000", "1500"]  # 1.8 × 500 = 900: 1,000 and 1,500 fail the ratio
    for i, price in enumerate(prices):
        hc.consumable_bid_submit(
            lot=w["lot"],
            product=w["lenses"][i],
            price=price,
            supply_capacity=10_000,
            by=w["reps"][i],
            accepts_revival=i == 2,
        )
    shift(w["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=w["tender"], by=w["official"])
    assert set(Bid.objects.filter(lot=w["lot"]).values_list("status", flat=True)) == {"valid"}
    run = svc.tender_evaluate(tender=w["tender"], by=w["official"])
    assert run.inputs["kind"] == "consumables"
    output = run.outputs[str(w["lot"].pk)]
    bids = {b.product_id: b for b in Bid.objects.filter(lot=w["lot"])}
    revived = bids[w["lenses"][2].pk]
    assert output["winner_ids"] == [bids[w["lenses"][0].pk].pk, bids[w["lenses"][1].pk].pk, revived.pk]
    assert output["awarded_prices"][str(revived.pk)] == "700.0000"
    assert bids[w["lenses"][3].pk].status == "not_selected"
    client.force_login(w["official"])
    page = client.get(f"/tenders/{w['tender'].pk}/evaluation/").content.decode()
    assert "按复活价格 ¥700.0000 中选" in page and "未满足任一中选条件" in page
    svc.tender_award(tender=w["tender"], by=w["official"])
    award = Award.objects.get(bid=revived)
    assert award.awarded_price == Decimal("700.0000")  # the revival price, not its own 1,000
    assert Listing.objects.get(award=award).unit_price == Decimal("700.0000")
    assert Commitment.objects.filter(lot=w["lot"]).count() == 2  # one per reporting hospital


def test_rules_and_steps_refused_on_the_wrong_tender_or_input(hc_world, world):
    w = hc_world
    before = ConsumableTender.objects.get(tender=w["tender"]).rules
    with pytest.raises(ValidationFailed) as exc:
        hc.consumable_rules_set(tender=w["tender"], by=w["official"], overrides={"floor_price": "0.1"})
    assert exc.value.code == "invalid_rules" and exc.value.field == "rules"
    with pytest.raises(ValidationFailed):
        hc.consumable_rules_set(tender=w["tender"], by=w["official"], preset="no_such_batch")
    assert ConsumableTender.objects.get(tender=w["tender"]).rules == before
    with pytest.raises(ConflictError) as exc:
        hc.consumable_rules_set(tender=world["tender"], by=w["official"], preset="national_stent_2020")
    assert exc.value.code == "not_consumable_tender"
    assert not ConsumableTender.objects.filter(tender=world["tender"]).exists()
    rules = hc.consumable_rules_set(tender=w["tender"], by=w["official"], preset="national_stent_2020").rules
    assert rules["price_line"] == "2850" and rules["preset"] == "national_stent_2020"


def test_the_drug_demand_form_on_a_consumable_lot_reports_per_brand(hc_world):
    w = hc_world
    svc.tender_start_demand_collection(tender=w["tender"], by=w["official"])
    with pytest.raises(ValidationFailed) as exc:
        svc.demand_report(lot=w["lot"], by=w["buyers"][0], annual_volume=100)
    assert exc.value.field == "named_product" and "按产品（品牌）" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        svc.demand_report(lot=w["lot"], by=w["buyers"][0], annual_volume=-1, named_product=w["lenses"][0])
    assert exc.value.field == "annual_volume"
    assert not ConsumableDemand.objects.exists() and not DemandReport.objects.exists()
    svc.demand_report(lot=w["lot"], by=w["buyers"][0], annual_volume=100, named_product=w["lenses"][0])
    report = svc.demand_report(lot=w["lot"], by=w["buyers"][0], annual_volume=50, named_product=w["lenses"][1])
    assert report.annual_volume == 150 and report.named_product == w["lenses"][0]
