"""An incremental scan after new observations ends exactly where a full scan of the same data ends: the same cases,
the same signals, the same figures — also when the new observations fall in a month that later months, the market's
move or a hospital's usual level compare with."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from pricing.models import PriceAlert, PriceObservation, Signal
from pricing.services.scan import price_scan_run
from tests.factories import ProductFactory
from tests.fixtures.prices import observe

MONTHS = [date(2025, m, 1) for m in range(1, 13)]


def _signals() -> list[tuple]:
    return sorted(
        Signal.objects.values_list(
            "alert__product_id",
            "alert__subject_key",
            "kind",
            "month",
            "informational",
            "deviation",
            "strength",
            "score",
            "amount_at_stake",
            "observed_value",
            "reference_value",
            "evidence",
        ),
        key=repr,
    )


def _cases() -> list[tuple]:
    return sorted(
        PriceAlert.objects.values_list(
            "product_id",
            "subject_key",
            "kinds",
            "period_start",
            "period_end",
            "months",
            "severity",
            "score",
            "deviation",
            "amount_at_stake",
            "observed_price",
            "reference_value",
        ),
        key=repr,
    )


@pytest.fixture
def year_of_prices(hospitals, manufacturer):
    """Two products of one group (generic name, form, strength), eight hospitals, a year of monthly purchases with
    noise; planted: a volume spike, a hospital's price rise, an outlier. Recorded a day ago."""
    rng = random.Random(7)
    products = [
        ProductFactory(manufacturer=manufacturer, generic_name="氨氯地平片", specification="5mg") for _ in range(2)
    ]
    for p_index, product in enumerate(products):
        for h_index, hospital in enumerate(hospitals):
            for m_index, month in enumerate(MONTHS):
                price = 10.0 * (1 + rng.gauss(0, 0.03))
                qty = int(100 * rng.uniform(0.8, 1.2))
                if (p_index, h_index, m_index) == (0, 7, 6):
                    qty *= 8
                if p_index == 0 and h_index == 3 and m_index >= 8:
                    price *= 1.6
                if (p_index, h_index, m_index) == (1, 5, 4):
                    price *= 2.5
                observe(product, hospital, month + timedelta(days=9), f"{price:.4f}", quantity=qty)
    PriceObservation.objects.update(created_at=timezone.now() - timedelta(days=1))
    return products


def test_an_incremental_scan_yields_what_a_full_scan_yields(year_of_prices, hospitals):
    first = price_scan_run(full=True)
    assert first.alerts_opened >= 3
    # a day's observations, in months that later months' baselines, the market's move and the hospitals' usual
    # levels are computed from
    observe(year_of_prices[0], hospitals[2], date(2025, 5, 20), "10.90", quantity=400)
    observe(year_of_prices[0], hospitals[3], date(2025, 8, 21), "12.10", quantity=60)
    observe(year_of_prices[1], hospitals[6], date(2025, 3, 22), "14.00", quantity=150)
    now = timezone.now()
    incremental = price_scan_run(now=now + timedelta(minutes=1))
    assert not incremental.full and incremental.observations == 3
    after_incremental = (_cases(), _signals())
    full = price_scan_run(full=True, now=now + timedelta(minutes=2))
    assert full.alerts_opened == 0
    after_full = (_cases(), _signals())
    assert len(after_incremental[1]) == len(after_full[1])
    assert after_incremental[0] == after_full[0]
    assert after_incremental[1] == after_full[1]
    kinds = {s[2] for s in after_full[1]}
    assert {"peer_outlier", "sudden_change", "volume_spike", "peer_outlier_group"} <= kinds
