"""Awarded tenders built as rows (the award flow itself is tested in tests/procurement): groups of products of one
generic name and specification, some winning at given prices, the others with an original standard or a listing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from payment_standards.models import PaymentStandard
from procurement.models import Award, Bid, Listing, Lot, Tender
from tests.factories import ManufacturerFactory, ProductFactory

_counter = {"n": 0}


def tender(official, *, code: str = "PS-T-01", year: int = 2026) -> Tender:
    now = timezone.now()
    return Tender.objects.create(
        code=code,
        name=f"支付标准测试批次 {code}",
        demand_start=now - timedelta(days=9),
        demand_end=now - timedelta(days=8),
        bid_deadline=now - timedelta(days=7),
        opening_at=now - timedelta(days=6),
        cycle_start=date(year, 1, 1),
        cycle_end=date(year + 1, 12, 31),
        status=Tender.Status.AWARDED,
        created_by=official,
    )


def lot(t: Tender, number: str, generic: str, forms=("片剂",)) -> Lot:
    return Lot.objects.create(
        tender=t,
        number=number,
        generic_name=generic,
        dosage_form_group=forms[0] if forms else "",
        dosage_forms=list(forms),
        max_price=Decimal("99.0000"),
    )


def product(generic: str, spec: str = "20mg", *, form: str = "片剂", evaluated: bool = True, active: bool = True):
    _counter["n"] += 1
    return ProductFactory(
        nhsa_code=f"XC10AAA128A0010101{_counter['n']:05d}",
        generic_name=generic,
        specification=spec,
        dosage_form=form,
        consistency_evaluated=evaluated,
        is_active=active,
    )


def award(the_lot: Lot, the_product, price: str, official, rank: int = 1) -> Award:
    price = Decimal(price)
    bid = Bid.objects.create(
        tender=the_lot.tender,
        lot=the_lot,
        manufacturer=the_product.manufacturer,
        product=the_product,
        sealed_price="-",
        seal_hash="0" * 64,
        price=price,
        comparison_price=price,
        supply_capacity=10**6,
        status=Bid.Status.SELECTED,
        submitted_at=timezone.now(),
        submitted_by=official,
    )
    return Award.objects.create(
        tender=the_lot.tender,
        lot=the_lot,
        bid=bid,
        manufacturer=the_product.manufacturer,
        product=the_product,
        rank=rank,
        awarded_price=price,
        comparison_price=price,
    )


def published(the_product, year: int, standard: str) -> PaymentStandard:
    return PaymentStandard.objects.create(
        product=the_product,
        year=year,
        standard=Decimal(standard),
        source=PaymentStandard.Source.IMPORT,
        status=PaymentStandard.Status.PUBLISHED,
    )


def listing(the_product, unit_price: str) -> Listing:
    price = Decimal(unit_price)
    return Listing.objects.create(
        product=the_product,
        manufacturer=the_product.manufacturer or ManufacturerFactory(),
        unit_price=price,
        pack_price=(price * the_product.pack_size).quantize(Decimal("0.01")),
        valid_from=date(2020, 1, 1),
        source=Listing.Source.APPLICATION,
    )
