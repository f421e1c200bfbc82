"""A small world for settlement tests: one tender with awarded products, receipts, returns and a price correction,
dated in the months before the current one (statements are built only for months that have ended)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from procurement.models import Award, Bid, Commitment, Lot, Tender
from tests.factories import (
    AgencyFactory,
    DeliveryLineFactory,
    DistributorFactory,
    GoodsReturnLineFactory,
    HospitalFactory,
    ListingFactory,
    ManufacturerFactory,
    ProductFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    ReceiptLineFactory,
    UserFactory,
    league,
)


def month_start(months_back: int) -> date:
    day = timezone.localdate().replace(day=1)
    for _ in range(months_back):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


@dataclass
class World:
    tender: Tender
    hospital: object
    far_hospital: object
    maker: object
    other_maker: object
    award: Award
    listing: object
    plain_listing: object
    fund_officer: object
    maker_rep: object
    other_rep: object
    hospital_user: object
    distributor: object


def make_award(tender, lot, product, price: str, rank: int, by) -> Award:
    bid = Bid.objects.create(
        tender=tender,
        lot=lot,
        manufacturer=product.manufacturer,
        product=product,
        sealed_price="x",
        seal_hash="0" * 64,
        price=Decimal(price),
        comparison_price=Decimal(price),
        supply_capacity=10**7,
        status="selected",
        submitted_at=timezone.now(),
        submitted_by=by,
    )
    return Award.objects.create(
        tender=tender,
        lot=lot,
        bid=bid,
        manufacturer=product.manufacturer,
        product=product,
        rank=rank,
        awarded_price=Decimal(price),
        comparison_price=Decimal(price),
    )


def build_world(prefix: str = "W") -> World:
    agency = AgencyFactory()
    fund_officer = UserFactory(username=f"{prefix}fund", organization=agency, roles=["fund_officer"])
    hospital = HospitalFactory(name=f"{prefix}呼和浩特测试医院", region=league("150100"))
    far_hospital = HospitalFactory(name=f"{prefix}赤峰测试医院", region=league("150400"))
    maker = ManufacturerFactory(name=f"{prefix}中选制药有限公司")
    other_maker = ManufacturerFactory(name=f"{prefix}其他制药有限公司")
    distributor = DistributorFactory(name=f"{prefix}配送有限公司")
    maker_rep = UserFactory(username=f"{prefix}mfr", organization=maker, roles=["manufacturer_rep"])
    other_rep = UserFactory(username=f"{prefix}mfr2", organization=other_maker, roles=["manufacturer_rep"])
    hospital_user = UserFactory(username=f"{prefix}buyer", organization=hospital, roles=["hospital_admin"])
    start = month_start(10)
    now = timezone.now()
    tender = Tender.objects.create(
        code=f"{prefix}-T-01",
        name="测试带量采购",
        demand_start=now - timedelta(days=400),
        demand_end=now - timedelta(days=390),
        bid_deadline=now - timedelta(days=380),
        opening_at=now - timedelta(days=379),
        cycle_start=start,
        cycle_end=start.replace(year=start.year + 1) - timedelta(days=1),
        status="executing",
    )
    lot = Lot.objects.create(tender=tender, number="01", generic_name="阿托伐他汀钙片", max_price=Decimal("1.2000"))
    product = ProductFactory(generic_name="阿托伐他汀钙片", manufacturer=maker, pack_size=10)
    award = make_award(tender, lot, product, "0.5123", 1, fund_officer)
    listing = ListingFactory(
        product=product, unit_price=Decimal("0.5123"), source="tender_award", award=award, valid_from=start
    )
    for h, volume in ((hospital, 10000), (far_hospital, 4000)):
        Commitment.objects.create(
            tender=tender,
            lot=lot,
            hospital=h,
            award=award,
            product=product,
            manufacturer=maker,
            reported_volume=volume,
            agreed_volume=volume,
            agreed_amount=(Decimal("0.5123") * volume).quantize(Decimal("0.01")),
            cycle_start=tender.cycle_start,
            cycle_end=tender.cycle_end,
        )
    plain_product = ProductFactory(generic_name="维生素C片", manufacturer=other_maker, pack_size=100)
    plain_listing = ListingFactory(product=plain_product, unit_price=Decimal("0.0300"))
    return World(
        tender=tender,
        hospital=hospital,
        far_hospital=far_hospital,
        maker=maker,
        other_maker=other_maker,
        award=award,
        listing=listing,
        plain_listing=plain_listing,
        fund_officer=fund_officer,
        maker_rep=maker_rep,
        other_rep=other_rep,
        hospital_user=hospital_user,
        distributor=distributor,
    )


def receive(world: World, *, hospital=None, listing=None, packs: int, on: date):
    """One accepted receipt line of `packs` packs of the listing at the hospital, received on the given day."""
    hospital = hospital or world.hospital
    listing = listing or world.listing
    order = PurchaseOrderFactory(hospital=hospital, distributor=world.distributor, status="received")
    order_line = PurchaseOrderLineFactory(order=order, listing=listing, packs=packs, line_no=1)
    delivery_line = DeliveryLineFactory(order_line=order_line)
    return ReceiptLineFactory(delivery_line=delivery_line, received_on=on)


def give_back(receipt_line, *, packs: int, on: date):
    return GoodsReturnLineFactory(receipt_line=receipt_line, packs=packs, returned_on=on)


def world_with_statement(*, packs: int = 5):
    """The world with one receipt last month and its statement generated: (world, statement, month)."""
    from settlement.generation import generate_statements
    from settlement.models import SettlementStatement

    world = build_world()
    period = month_start(1)
    receive(world, packs=packs, on=period + timedelta(days=2))
    generate_statements(month=period)
    return world, SettlementStatement.objects.get(hospital=world.hospital), period
