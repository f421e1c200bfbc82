"""The awards' set-based SQL (procurement.sql.opening and .awards) against the rules' specification in Python
(procurement.evaluation), on generated tenders: prices tied and around the thresholds (1.8 × the lowest, ¥0.10, 50 %
below the highest valid price), lots with one to three winners and none, winners at their supply capacity, counties
pooled with their league, named products that win and lose, volumes that round half-up and zero."""

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from accounts.models import Region
from procurement import evaluation
from procurement.models import Bid, Commitment, DemandReport
from procurement.services import tenders as svc
from tests.catalog.test_search import make
from tests.factories import HospitalFactory, ManufacturerFactory, UserFactory, league
from tests.fixtures.tenders import shift

GENERICS = ("阿托伐他汀钙片", "瑞舒伐他汀钙片", "氨氯地平片")
MAX_PRICE = Decimal("1.2000")
VOLUMES = (0, 1, 5, 7, 15, 25, 333, 10001, 33335, 12345)
CAPACITIES = (1, 5000, 10**7)


def _prices(rng: random.Random) -> list[Decimal]:
    """A lowest price, then prices tied with it and just around each threshold (exact to the 4th decimal)."""
    lowest = rng.choice([Decimal("0.0500"), Decimal("0.0556"), Decimal("0.3000"), Decimal("0.5000")])
    ratio = (lowest * Decimal("1.8")).quantize(Decimal("0.0001"))
    near = [
        lowest,
        ratio,
        ratio + Decimal("0.0001"),
        ratio - Decimal("0.0001"),
        Decimal("0.1000"),
        Decimal("0.1001"),
        Decimal("0.0999"),
        Decimal("0.6000"),
        Decimal("0.6001"),
        MAX_PRICE,
    ]
    return [lowest] + [p for p in (rng.choice(near) for _ in range(rng.randint(0, 4))) if lowest <= p <= MAX_PRICE]


def _tender(rng: random.Random, n: int, official, makers, reps, hospitals, buyers):
    now = timezone.now()
    rules = {"max_winners_cap": rng.choice([1, 2, 3, 10]), "exclude_highest": rng.choice([True, True, False])}
    tender = svc.tender_create(
        by=official,
        code=f"GEN-{n}",
        name=f"生成批次{n}",
        demand_start=now - timedelta(hours=1),
        demand_end=now + timedelta(hours=1),
        bid_deadline=now + timedelta(hours=2),
        opening_at=now + timedelta(hours=3),
        cycle_start=date(2027, 1, 1),
        cycle_end=date(2027, 12, 31),
        rules=rules,
    )
    lots = []
    for k, generic in enumerate(GENERICS):
        lot = svc.lot_add(
            tender=tender, by=official, number=f"{k + 1:02d}", generic_name=generic, max_price=str(MAX_PRICE)
        )
        products = [
            make(generic, f"XC10AAA128A0010101{n * 100 + k * 10 + i:05d}", maker=maker, specification="20mg")
            for i, maker in enumerate(makers)
        ]
        lots.append((lot, products))
    svc.tender_start_demand_collection(tender=tender, by=official)
    for lot, products in lots:
        for buyer in buyers:
            if rng.random() < 0.9:
                named = rng.choice(products) if rng.random() < 0.3 else None
                svc.demand_report(lot=lot, by=buyer, annual_volume=rng.choice(VOLUMES), named_product=named)
    shift(tender, demand_end=timedelta(seconds=-10), demand_start=timedelta(hours=-2))
    svc.tender_refresh(tender=tender)
    for lot, products in lots:
        if rng.random() < 0.1:
            continue  # a lot nobody bids on
        prices = _prices(rng)[: len(makers)]
        for i, price in zip(rng.sample(range(len(makers)), k=len(prices)), prices, strict=True):
            svc.bid_submit(
                lot=lot, product=products[i], price=str(price), supply_capacity=rng.choice(CAPACITIES), by=reps[i]
            )
    shift(tender, bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=tender, by=official)
    run = svc.tender_evaluate(tender=tender, by=official)
    svc.tender_award(tender=tender, by=official)
    return tender, run


def _expected(tender, run) -> dict[tuple[int, int], evaluation.Allocation]:
    """What evaluation.allocate decides for every lot with winners, by (lot, hospital)."""
    rules = evaluation.SelectionRules.from_dict(run.rules)
    expected = {}
    for lot_id, output in run.outputs.items():
        bids = Bid.objects.in_bulk(output["winner_ids"])
        winners = [
            evaluation.Winner(b.manufacturer_id, b.product_id, b.price, b.supply_capacity)
            for b in (bids[i] for i in output["winner_ids"])
        ]
        demands = [
            evaluation.Demand(d.hospital_id, d.hospital.region.pooling_region.pk, d.annual_volume, d.named_product_id)
            for d in DemandReport.objects.filter(lot_id=lot_id).select_related("hospital__region__parent")
        ]
        if winners:
            for a in evaluation.allocate(int(lot_id), winners, demands, rules):
                expected[(a.lot_id, a.hospital_id)] = (a, winners)
    return expected


@pytest.mark.django_db
def test_generated_tenders_award_exactly_what_the_rules_specify(official):
    rng = random.Random(20270101)
    makers = [ManufacturerFactory(name=f"生成测试制药{i}有限公司") for i in range(5)]
    reps = [
        UserFactory(username=f"gen-rep{i}", organization=m, roles=["manufacturer_rep"]) for i, m in enumerate(makers)
    ]
    league("150100")  # the regions are loaded
    regions = [Region.objects.get(code=code) for code in ("150100", "150102", "150121", "150200", "150202", "150500")]
    hospitals = [HospitalFactory(name=f"生成测试{i}医院", region=regions[i % len(regions)]) for i in range(9)]
    buyers = [
        UserFactory(username=f"gen-buyer{i}", organization=h, roles=["purchaser"]) for i, h in enumerate(hospitals)
    ]

    winner_counts, capped, ties, at_ratio = set(), 0, 0, 0
    for n in range(5):
        tender, run = _tender(rng, n, official, makers, reps, hospitals, buyers)
        # the opened and evaluated bids stand as the specification decided
        for output in run.outputs.values():
            statuses = dict(
                Bid.objects.filter(pk__in=[o["bid_id"] for o in output["outcomes"]]).values_list("pk", "status")
            )
            assert statuses == {o["bid_id"]: o["status"] for o in output["outcomes"]}
            winner_counts.add(len(output["winner_ids"]))
            prices = [Decimal(o["comparison_price"]) for o in output["outcomes"] if o["status"] != "invalid"]
            ties += len(prices) != len(set(prices))
            at_ratio += any(
                Decimal(o["comparison_price"]) == Decimal(output["ratio_threshold"])
                for o in output["outcomes"]
                if output["ratio_threshold"]
            )
        expected = _expected(tender, run)
        written = {(c.lot_id, c.hospital_id): c for c in Commitment.objects.filter(tender=tender)}
        assert written.keys() == expected.keys()
        for key, (allocation, winners) in expected.items():
            commitment = written[key]
            price = {w.product_id: w.awarded_price for w in winners}[allocation.product_id]
            assert (
                commitment.product_id,
                commitment.manufacturer_id,
                commitment.reported_volume,
                commitment.agreed_volume,
                commitment.reason,
            ) == (
                allocation.product_id,
                allocation.manufacturer_id,
                allocation.reported_volume,
                allocation.agreed_volume,
                allocation.reason[:200],
            )
            assert commitment.agreed_amount == (allocation.agreed_volume * price).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
            assert commitment.award.product_id == allocation.product_id
            capped += "各中选企业均已达申报供应能力" in commitment.reason
    # the generated tenders cover what they are meant to
    assert {0, 1, 2, 3} <= winner_counts, winner_counts
    assert ties and at_ratio and capped
