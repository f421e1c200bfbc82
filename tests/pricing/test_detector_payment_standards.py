"""The above-reference detector compares with the published payment standards (payment_standards app) where a
product has one for the day, and falls back to the imported reference prices of kind payment_standard otherwise."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payment_standards.models import PaymentStandard
from pricing.detectors import Scope, registry
from pricing.models import ReferencePrice
from tests.factories import ProductFactory
from tests.fixtures.prices import observe

FULL = Scope(full=True)


def payment_findings():
    findings = registry()["above_reference"].find(FULL)
    return {
        (f.product_id, f.subject_key, f.period_start): f for f in findings if f.detector == "above_payment_standard"
    }


def test_published_standard_replaces_the_imported_reference_for_its_year(hospitals, product, manufacturer):
    # The imported reference (¥1.20 from 2025) is what the platform had; the 2026 published standard is ¥1.00.
    ReferencePrice.objects.create(
        product=product, kind="payment_standard", unit_price=Decimal("1.2000"), valid_from=date(2025, 1, 1), source="t"
    )
    PaymentStandard.objects.create(
        product=product, year=2026, standard=Decimal("1.0000"), source="award", status="published"
    )
    # A draft is not in force: it must not count.
    PaymentStandard.objects.create(product=product, year=2025, standard=Decimal("0.5000"), source="award")
    other = ProductFactory(manufacturer=manufacturer, generic_name="瑞舒伐他汀钙片", specification="10mg")
    ReferencePrice.objects.create(
        product=other, kind="payment_standard", unit_price=Decimal("2.0000"), valid_from=date(2026, 1, 1), source="t"
    )
    h = hospitals
    observe(product, h[0], date(2026, 3, 10), "1.10", quantity=10)  # above the published 1.00, below the old 1.20
    observe(product, h[1], date(2025, 6, 10), "1.10", quantity=10)  # 2025: no published standard; old 1.20 holds
    observe(product, h[2], date(2025, 6, 10), "1.30", quantity=10)  # 2025: above the old 1.20 (the draft is ignored)
    observe(other, h[3], date(2026, 3, 10), "2.50", quantity=4)  # no published standard: the reference price 2.00
    found = payment_findings()
    assert set(found) == {
        (product.pk, f"h:{h[0].pk}", date(2026, 3, 1)),
        (product.pk, f"h:{h[2].pk}", date(2025, 6, 1)),
        (other.pk, f"h:{h[3].pk}", date(2026, 3, 1)),
    }
    planted = found[(product.pk, f"h:{h[0].pk}", date(2026, 3, 1))]
    assert planted.reference_value == Decimal("1.0000") and planted.amount_at_stake == Decimal("1.00")
    assert found[(product.pk, f"h:{h[2].pk}", date(2025, 6, 1))].reference_value == Decimal("1.2000")
    assert found[(other.pk, f"h:{h[3].pk}", date(2026, 3, 1))].amount_at_stake == Decimal("2.00")


def test_the_payment_standard_reference_can_be_turned_off(hospitals, product):
    PaymentStandard.objects.create(
        product=product, year=2026, standard=Decimal("1.0000"), source="award", status="published"
    )
    observe(product, hospitals[0], date(2026, 3, 10), "1.10", quantity=10)
    detector = registry()["above_reference"]
    off = type(detector)(**{**detector.params, "payment_standard": False})
    assert [f for f in off.find(FULL) if f.detector == "above_payment_standard"] == []
