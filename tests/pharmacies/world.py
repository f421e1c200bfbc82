"""A small world for the pharmacy tests: the ordering world (a hospital in 呼和浩特, a manufacturer with two listed
products, an authorised distributor) plus a negotiated drug listed and authorised, two pharmacies (呼和浩特, 包头)
with a buyer each, and the officials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organization, User
from procurement.models import Listing
from procurement.services import deliveries as delivery_svc
from procurement.services import orders as order_svc
from procurement.services import receipts as receipt_svc
from tests.factories import (
    AgencyFactory,
    DistributionAuthorizationFactory,
    ListingFactory,
    PharmacyFactory,
    ProductFactory,
    UserFactory,
    league,
)
from tests.procurement.ordering import World, build_world


@dataclass
class PharmacyWorld:
    base: World
    pharmacy: Organization
    other_pharmacy: Organization
    pharmacist: User
    other_pharmacist: User
    official: User
    fund: User
    negotiated: Listing  # a national negotiated drug, agreement in force
    expired: Listing  # negotiated, agreement ended last month

    @property
    def plain(self) -> Listing:  # listed, not negotiated
        return self.base.listing


def build_pharmacy_world() -> PharmacyWorld:
    base = build_world()
    today = timezone.localdate()
    drug = ProductFactory(
        manufacturer=base.manufacturer,
        generic_name="司库奇尤单抗注射液",
        pack_size=1,
        negotiated=True,
        negotiated_from=date(today.year - 1, 1, 1),
        negotiated_to=today + timedelta(days=30),
    )
    old = ProductFactory(
        manufacturer=base.manufacturer,
        generic_name="过期谈判药片",
        pack_size=10,
        negotiated=True,
        negotiated_from=date(today.year - 3, 1, 1),
        negotiated_to=today - timedelta(days=40),
    )
    negotiated = ListingFactory(product=drug, unit_price=Decimal("128.0000"), pack_price=Decimal("128.00"))
    expired = ListingFactory(product=old, unit_price=Decimal("2.0000"), pack_price=Decimal("20.00"))
    for product in (drug, old):
        DistributionAuthorizationFactory(
            product=product, distributor=base.distributor, regions=[league("150100"), league("150200")]
        )
    pharmacy = PharmacyFactory(name="测试草原大药房")
    other = PharmacyFactory(name="测试鹿城药店", region=league("150200"))
    agency = AgencyFactory()
    return PharmacyWorld(
        base=base,
        pharmacy=pharmacy,
        other_pharmacy=other,
        pharmacist=UserFactory(username="p_buyer", organization=pharmacy, roles=["pharmacy_buyer"]),
        other_pharmacist=UserFactory(username="p_other", organization=other, roles=["pharmacy_buyer"]),
        official=UserFactory(username="p_official", organization=agency, roles=["pricing_official"]),
        fund=UserFactory(username="p_fund", organization=agency, roles=["fund_officer"]),
        negotiated=negotiated,
        expired=expired,
    )


def order_through_receipt(world: PharmacyWorld, buyer: User, listing: Listing, packs: int = 3):
    """An order of `listing` by `buyer`, accepted, delivered and received in full, through the services."""
    order = order_svc.order_create(
        by=buyer, distributor=world.base.distributor, lines=[{"listing": listing.pk, "packs": packs}], submit=True
    )
    order = order_svc.order_accept(order=order, by=world.base.dist_rep)
    expiry = (timezone.localdate() + timedelta(days=400)).isoformat()
    lines = [
        {"order_line": line.pk, "packs": line.packs, "batch_number": "B01", "expiry_date": expiry}
        for line in order.lines.all()
    ]
    delivery = delivery_svc.delivery_create(order=order, by=world.base.dist_rep, invoice_number="INV-1", lines=lines)
    receipt_svc.receipt_create(delivery=delivery, by=buyer)
    order.refresh_from_db()
    return order
