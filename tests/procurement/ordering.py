"""A small ordering world shared by the ordering tests: one hospital in 呼和浩特, one manufacturer with two listed
products, one authorised distributor, and their users."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import pytest

from accounts.models import Organization, User
from procurement.models import Listing
from tests.factories import (
    DistributionAuthorizationFactory,
    DistributorFactory,
    HospitalFactory,
    ListingFactory,
    ManufacturerFactory,
    ProductFactory,
    UserFactory,
)


@dataclass
class World:
    hospital: Organization
    other_hospital: Organization
    manufacturer: Organization
    distributor: Organization
    other_distributor: Organization
    buyer: User
    buyer2: User
    other_buyer: User
    dist_rep: User
    dist_rep2: User
    other_dist_rep: User
    listing: Listing  # 12 tablets a pack at 0.5000 → 6.00 a pack
    listing2: Listing  # 20 a pack at 1.2345

    def lines(self, packs=10, packs2=5):
        return [{"listing": self.listing.pk, "packs": packs}, {"listing": self.listing2.pk, "packs": packs2}]


def build_world() -> World:
    hospital = HospitalFactory(name="订单测试医院")
    other_hospital = HospitalFactory(name="订单测试另一医院")
    manufacturer = ManufacturerFactory(name="订单测试制药有限公司")
    distributor = DistributorFactory(name="订单测试配送有限公司")
    other_distributor = DistributorFactory(name="订单测试其他配送有限公司")
    product = ProductFactory(manufacturer=manufacturer, generic_name="阿托伐他汀钙片", pack_size=12)
    product2 = ProductFactory(manufacturer=manufacturer, generic_name="盐酸二甲双胍片", pack_size=20)
    listing = ListingFactory(product=product, unit_price=Decimal("0.5000"), pack_price=Decimal("6.00"))
    listing2 = ListingFactory(product=product2, unit_price=Decimal("1.2345"), pack_price=Decimal("24.69"))
    for p in (product, product2):
        DistributionAuthorizationFactory(product=p, distributor=distributor)
    return World(
        hospital=hospital,
        other_hospital=other_hospital,
        manufacturer=manufacturer,
        distributor=distributor,
        other_distributor=other_distributor,
        buyer=UserFactory(username="o_buyer", organization=hospital, roles=["purchaser"]),
        buyer2=UserFactory(username="o_buyer2", organization=hospital, roles=["purchaser"]),
        other_buyer=UserFactory(username="o_other_buyer", organization=other_hospital, roles=["purchaser"]),
        dist_rep=UserFactory(username="o_dist", organization=distributor, roles=["distributor_rep"]),
        dist_rep2=UserFactory(username="o_dist2", organization=distributor, roles=["distributor_rep"]),
        other_dist_rep=UserFactory(username="o_other_dist", organization=other_distributor, roles=["distributor_rep"]),
        listing=listing,
        listing2=listing2,
    )


def make_commitment(*, hospital, selected_product, agreed_volume: int, price=Decimal("0.3000")):
    """An executing tender with one lot for the selected product's generic name, its award (with a tender-award
    listing) and the hospital's commitment, built as rows (the tender services are tested elsewhere)."""
    from datetime import timedelta

    from django.utils import timezone

    from procurement.models import Award, Bid, Commitment, Lot, Tender

    now = timezone.now()
    today = timezone.localdate()
    n = Tender.objects.count() + 1
    tender = Tender.objects.create(
        code=f"T-ORD-{n:03d}",
        name="订单测试批次",
        demand_start=now - timedelta(days=90),
        demand_end=now - timedelta(days=80),
        bid_deadline=now - timedelta(days=70),
        opening_at=now - timedelta(days=70),
        cycle_start=today - timedelta(days=30),
        cycle_end=today + timedelta(days=335),
        status="executing",
    )
    lot = Lot.objects.create(
        tender=tender,
        number="01",
        generic_name=selected_product.generic_name,
        max_price="2.0000",
        dosage_forms=[selected_product.dosage_form],
    )
    rep = UserFactory(organization=selected_product.manufacturer, roles=["manufacturer_rep"])
    bid = Bid.objects.create(
        tender=tender,
        lot=lot,
        manufacturer=selected_product.manufacturer,
        product=selected_product,
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
        manufacturer=selected_product.manufacturer,
        product=selected_product,
        rank=1,
        awarded_price=price,
        comparison_price=price,
    )
    listing = ListingFactory(
        product=selected_product,
        unit_price=price,
        pack_price=(price * selected_product.pack_size).quantize(Decimal("0.01")),
        source="tender_award",
        award=award,
        valid_from=tender.cycle_start,
        valid_to=tender.cycle_end,
    )
    commitment = Commitment.objects.create(
        tender=tender,
        lot=lot,
        hospital=hospital,
        award=award,
        product=selected_product,
        manufacturer=selected_product.manufacturer,
        reported_volume=agreed_volume,
        agreed_volume=agreed_volume,
        agreed_amount=(price * agreed_volume).quantize(Decimal("0.01")),
        cycle_start=tender.cycle_start,
        cycle_end=tender.cycle_end,
    )
    return commitment, listing


@contextmanager
def refused(error_class, code):
    """`pytest.raises(error_class)` that also checks the error's code (what clients branch on, not the wording)."""
    with pytest.raises(error_class) as caught:
        yield caught
    assert caught.value.code == code, (caught.value.code, caught.value.message)
