"""A small known world for the pricing tests: hospitals, products, observations with known anomalies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from common.money import quantize_amount
from pricing.models import PriceObservation
from tests.factories import HospitalFactory, ProductFactory, league


def observe(product, hospital, day: date, price, quantity: int = 100, source: str = "platform_receipt"):
    price = Decimal(str(price))
    return PriceObservation.objects.create(
        product=product,
        hospital=hospital,
        region=hospital.region if hospital else None,
        observed_on=day,
        unit_price=price,
        quantity=quantity,
        amount=quantize_amount(price * quantity),
        source=source,
    )


@pytest.fixture
def hospitals(db):
    return [
        HospitalFactory(name=f"价格测试医院{i:02d}", region=league("150100" if i % 2 else "150400")) for i in range(8)
    ]


@pytest.fixture
def product(db, manufacturer):
    return ProductFactory(manufacturer=manufacturer, generic_name="阿托伐他汀钙片", specification="20mg")


@pytest.fixture
def peer_world(hospitals, product):
    """Eight hospitals buy the product in March 2026 at about ¥1.00; hospital 7 pays ¥2.60."""
    prices = ["1.00", "1.02", "0.98", "1.01", "0.99", "1.03", "0.97", "2.60"]
    for h, p in zip(hospitals, prices, strict=True):
        observe(product, h, date(2026, 3, 10), p)
    return hospitals[7]
