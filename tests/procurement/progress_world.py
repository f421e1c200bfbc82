"""A small, fully known world for the commitment-progress tests.

Tender cycle 2026-01-01 … 2026-12-31 (365 days), one lot 阿莫西林胶囊 (dosage form 胶囊). Products, 10 capsules a pack:
A (selected, 0.3000 a capsule), B (same generic and form, another maker: a substitute), C (same generic, form 片剂:
not in the lot), D (another generic). Hospitals and their commitments (agreed volumes in capsules):

- `steady` 3650 — A: 500 on 01-10, 300 on 02-20, 400 on 03-05 (50 of the January ones returned on 03-20), a partial
  receipt of 200 (10 packs of 30 rejected) on 04-10, 1000 on 2025-12-20 (before the cycle); B: 100 on 02-01,
  50 on 04-01; C bought on 03-10 as a substitution for the commitment (30); D on 03-01 (not counted).
- `stalled` 3650 — A: 100 on 01-15, nothing after.
- `late` 3650 — A: 300 on 03-15, 500 on 04-05.
- `over` 100 — A: 120 on 02-02.
- `zero` 0 — nothing; `zero_bought` 0 — A: 10 on 03-03.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from accounts.models import Region
from procurement.models import Award, Bid, Commitment, Listing, Lot, Tender
from tests.factories import (
    GoodsReturnLineFactory,
    HospitalFactory,
    ListingFactory,
    ManufacturerFactory,
    ProductFactory,
    ReceiptLineFactory,
    UserFactory,
)

CYCLE_START = date(2026, 1, 1)
CYCLE_END = date(2026, 12, 31)
AS_OF = date(2026, 4, 15)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


@dataclass
class World:
    tender: Tender
    lot: Lot
    listings: dict[str, Listing]
    hospitals: dict = field(default_factory=dict)
    commitments: dict[str, Commitment] = field(default_factory=dict)

    def receive(
        self,
        hospital_key: str,
        product_key: str,
        units: int,
        on: date,
        *,
        rejected_units: int = 0,
        substitution_for: Commitment | None = None,
    ):
        listing = self.listings[product_key]
        size = listing.product.pack_size
        hospital = self.hospitals[hospital_key]
        return ReceiptLineFactory(
            delivery_line__order_line__order__hospital=hospital,
            delivery_line__order_line__listing=listing,
            delivery_line__order_line__packs=(units + rejected_units) // size,
            delivery_line__order_line__substitution_for=substitution_for,
            delivery_line__packs=(units + rejected_units) // size,
            accepted_packs=units // size,
            rejected_packs=rejected_units // size,
            reject_reason="破损" if rejected_units else "",
            receipt__received_at=at(on),
            received_on=on,
        )

    def give_back(self, receipt_line, units: int, on: date):
        return GoodsReturnLineFactory(
            receipt_line=receipt_line,
            packs=units // receipt_line.order_line.pack_size,
            goods_return__returned_at=at(on),
            returned_on=on,
        )


def build_world(*, with_flows: bool = True) -> World:
    maker_a = ManufacturerFactory(name="进度测试甲制药有限公司")
    maker_b = ManufacturerFactory(name="进度测试乙制药有限公司")
    common = {"generic_name": "阿莫西林胶囊", "pack_size": 10, "min_unit": "粒"}
    products = {
        "A": ProductFactory(manufacturer=maker_a, dosage_form="胶囊剂", **common),
        "B": ProductFactory(manufacturer=maker_b, dosage_form="胶囊剂", **common),
        "C": ProductFactory(manufacturer=maker_b, dosage_form="片剂", **common),
        "D": ProductFactory(manufacturer=maker_a, generic_name="布洛芬缓释胶囊", dosage_form="胶囊剂", pack_size=10),
    }
    now = timezone.now()
    tender = Tender.objects.create(
        code="T-PRG-001",
        name="进度测试批次",
        demand_start=at(date(2025, 9, 1)),
        demand_end=at(date(2025, 9, 10)),
        bid_deadline=at(date(2025, 10, 1)),
        opening_at=at(date(2025, 10, 1)),
        cycle_start=CYCLE_START,
        cycle_end=CYCLE_END,
        status="executing",
    )
    lot = Lot.objects.create(
        tender=tender, number="01", generic_name="阿莫西林胶囊", dosage_forms=["胶囊剂"], max_price="2.0000"
    )
    price = Decimal("0.3000")
    rep = UserFactory(organization=maker_a, roles=["manufacturer_rep"])
    bid = Bid.objects.create(
        tender=tender,
        lot=lot,
        manufacturer=maker_a,
        product=products["A"],
        sealed_price="x",
        seal_hash="0" * 64,
        price=price,
        comparison_price=price,
        supply_capacity=10**6,
        status="selected",
        submitted_at=now,
        submitted_by=rep,
    )
    award = Award.objects.create(
        tender=tender,
        lot=lot,
        bid=bid,
        manufacturer=maker_a,
        product=products["A"],
        rank=1,
        awarded_price=price,
        comparison_price=price,
    )
    listings = {
        "A": ListingFactory(
            product=products["A"], unit_price=price, source="tender_award", award=award, valid_from=date(2025, 1, 1)
        ),
        "B": ListingFactory(product=products["B"], unit_price=Decimal("0.5000"), valid_from=date(2025, 1, 1)),
        "C": ListingFactory(product=products["C"], unit_price=Decimal("0.4000"), valid_from=date(2025, 1, 1)),
        "D": ListingFactory(product=products["D"], unit_price=Decimal("0.2000"), valid_from=date(2025, 1, 1)),
    }
    world = World(tender=tender, lot=lot, listings=listings)
    county = Region.objects.filter(parent__code="150100").order_by("code").first()
    agreed = {"steady": 3650, "stalled": 3650, "late": 3650, "over": 100, "zero": 0, "zero_bought": 0}
    for key, volume in agreed.items():
        extra = {"region": county} if key == "steady" else {}
        hospital = HospitalFactory(name=f"进度测试{key}医院", **extra)
        world.hospitals[key] = hospital
        world.commitments[key] = Commitment.objects.create(
            tender=tender,
            lot=lot,
            hospital=hospital,
            award=award,
            product=products["A"],
            manufacturer=maker_a,
            reported_volume=volume,
            agreed_volume=volume,
            agreed_amount=(price * volume).quantize(Decimal("0.01")),
            cycle_start=CYCLE_START,
            cycle_end=CYCLE_END,
        )
    world.hospitals["outsider"] = HospitalFactory(name="进度测试无约定医院")
    if with_flows:
        add_flows(world)
    return world


def add_flows(w: World) -> None:
    january = w.receive("steady", "A", 500, date(2026, 1, 10))
    w.receive("steady", "A", 300, date(2026, 2, 20))
    w.receive("steady", "A", 400, date(2026, 3, 5))
    w.give_back(january, 50, date(2026, 3, 20))
    w.receive("steady", "A", 200, date(2026, 4, 10), rejected_units=100)
    w.receive("steady", "A", 1000, date(2025, 12, 20))
    w.receive("steady", "B", 100, date(2026, 2, 1))
    w.receive("steady", "B", 50, date(2026, 4, 1))
    w.receive("steady", "C", 30, date(2026, 3, 10), substitution_for=w.commitments["steady"])
    w.receive("steady", "D", 70, date(2026, 3, 1))
    w.receive("stalled", "A", 100, date(2026, 1, 15))
    w.receive("late", "A", 300, date(2026, 3, 15))
    w.receive("late", "A", 500, date(2026, 4, 5))
    w.receive("over", "A", 120, date(2026, 2, 2))
    w.receive("zero_bought", "A", 10, date(2026, 3, 3))
    # Another hospital without a commitment buys the selected product: not anyone's progress.
    w.receive("outsider", "A", 400, date(2026, 2, 2))
