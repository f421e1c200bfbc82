"""Consumable tenders through the services: lots by class or product system, bids per registration certificate or
per system, intended volumes per brand, evaluation under the tender's rules and awards (revival at its price)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog import services as catalog_services
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
from tests.factories import HospitalFactory, ManufacturerFactory, UserFactory, league
from tests.fixtures.tenders import shift

IOL = "人工晶体类"
JOINT = "骨科关节类"
HIP_ROLES = ["股骨柄", "股骨头", "髋臼杯", "髋臼内衬"]


def device(maker, code, *, klass=IOL, hv="iol", generic="人工晶状体", registration=None, **extra):
    return catalog_services.product_create(
        category="consumable",
        nhsa_code=code,
        generic_name=generic,
        pack_size=1,
        min_unit="片" if klass == IOL else "个",
        pack_unit="盒",
        manufacturer_id=maker.pk,
        approval_number=registration or f"国械注准2020316{code[-4:]}",
        consumable_class=klass,
        high_value=True,
        high_value_class=hv,
        **extra,
    )


@pytest.fixture
def hc_world(db, official):
    now = timezone.now()
    makers = [ManufacturerFactory(name=f"耗材测试医疗器械{i}有限公司") for i in range(4)]
    reps = [UserFactory(username=f"hcrep{i}", organization=m, roles=["manufacturer_rep"]) for i, m in enumerate(makers)]
    lenses = [device(m, f"C10020100311{i:03d}0{i:04d}", trade_name=f"晶{i}") for i, m in enumerate(makers)]
    filed = device(makers[0], "C1002010031190009999", registration="国械备20200015号")
    hospitals = [HospitalFactory(name=f"耗材测试{i}医院", region=league(c)) for i, c in enumerate(["150100", "150200"])]
    buyers = [UserFactory(username=f"hcbuyer{i}", organization=h, roles=["purchaser"]) for i, h in enumerate(hospitals)]
    tender = svc.tender_create(
        by=official,
        code="NMG-HC-T-01",
        name="耗材测试批次",
        kind="consumables",
        demand_start=now - timedelta(hours=1),
        demand_end=now + timedelta(hours=1),
        bid_deadline=now + timedelta(hours=2),
        opening_at=now + timedelta(hours=3),
        cycle_start=date(2027, 1, 1),
        cycle_end=date(2028, 12, 31),
    )
    hc.consumable_rules_set(tender=tender, by=official, overrides={"ratio_to_lowest": "1.8", "revival": True})
    lot = svc.lot_add(tender=tender, by=official, number="01", generic_name="人工晶状体", max_price="2000")
    hc.consumable_lot_configure(lot=lot, by=official, consumable_class=IOL, high_value_class="iol")
    hip = svc.lot_add(tender=tender, by=official, number="02", generic_name="髋关节系统", max_price="12000")
    hc.consumable_lot_configure(
        lot=hip,
        by=official,
        consumable_class=JOINT,
        bid_unit="system",
        price_basis="system",
        system_category="陶瓷-聚乙烯类髋关节",
        material_group="陶瓷-聚乙烯",
        components=[{"role": r, "required": True} for r in HIP_ROLES] + [{"role": "螺钉", "required": False}],
    )
    parts = {
        role: device(makers[1], f"C030101{k + 1:03d}{12000 + k:05d}09001", klass=JOINT, hv="ortho_joint", generic=role)
        for k, role in enumerate(HIP_ROLES)
    }
    return {
        "tender": tender,
        "lot": lot,
        "hip": hip,
        "makers": makers,
        "reps": reps,
        "lenses": lenses,
        "filed": filed,
        "parts": parts,
        "hospitals": hospitals,
        "buyers": buyers,
        "official": official,
    }


def to_bidding(w):
    svc.tender_start_demand_collection(tender=w["tender"], by=w["official"])
    volumes = [(0, 0, 300), (0, 1, 120), (1, 1, 200), (1, 2, 80), (0, 3, 40)]  # (buyer, lens, volume)
    for buyer, lens, volume in volumes:
        hc.consumable_demand_report(lot=w["lot"], by=w["buyers"][buyer], product=w["lenses"][lens], volume=volume)
    shift(w["tender"], demand_end=timedelta(seconds=-10), demand_start=timedelta(hours=-2))
    svc.tender_refresh(tender=w["tender"])
    w["tender"].refresh_from_db()
    assert w["tender"].status == "bidding"


def test_intended_volumes_per_brand_and_the_hospital_total(hc_world):
    w = hc_world
    to_bidding(w)
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
    to_bidding(w)
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


def test_system_bid_missing_a_required_component_is_refused(hc_world):
    w = hc_world
    to_bidding(w)
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
    to_bidding(w)
    components = [hc.Component(role, w["parts"][role]) for role in HIP_ROLES]
    bid = hc.consumable_bid_submit(
        lot=w["hip"], components=components, price="6000", supply_capacity=100, by=w["reps"][1], system_name="星髋"
    )
    assert bid.product == w["parts"]["股骨柄"] and bid.price is None  # sealed until opening
    assert sorted(bid.components.values_list("role", flat=True)) == sorted(HIP_ROLES)
    assert bid.consumable.system_name == "星髋"


def test_lens_of_another_maker_or_class_is_refused(hc_world):
    w = hc_world
    to_bidding(w)
    with pytest.raises(ValidationFailed) as exc:
        svc.bid_submit(lot=w["lot"], product=w["lenses"][1], price="500", supply_capacity=10, by=w["reps"][0])
    assert exc.value.code == "not_own_product"
    with pytest.raises(ValidationFailed) as exc:
        svc.bid_submit(lot=w["lot"], product=w["parts"]["股骨头"], price="500", supply_capacity=10, by=w["reps"][1])
    assert exc.value.code == "not_consumable_product"
    assert not Bid.objects.exists()


def test_full_path_with_revival_to_awards(hc_world):
    w = hc_world
    to_bidding(w)
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
