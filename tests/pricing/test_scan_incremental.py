"""An incremental scan after new observations ends exactly where a full scan of the same data ends: the same cases,
the same signals, the same figures — also when the new observations fall in a month that later months, the market's
move or a hospital's usual level compare with."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.sql import array_text
from pricing.models import MonthlyPrice, PriceAlert, PriceObservation, Signal
from pricing.services.scan import price_scan_run
from tests.factories import HospitalFactory, ProductFactory
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


def _cells() -> list[tuple]:
    """The monthly prices the scans keep, every column but the id."""
    return sorted(
        MonthlyPrice.objects.values_list(
            "product_id", "hospital_id", "month", "price", "quantity", "region_id", "base", "base_months"
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
    cells = _cells()
    full = price_scan_run(full=True, now=now + timedelta(minutes=2))
    assert full.alerts_opened == 0
    after_full = (_cases(), _signals())
    assert cells == _cells() and cells
    assert len(after_incremental[1]) == len(after_full[1])
    assert after_incremental[0] == after_full[0]
    assert after_incremental[1] == after_full[1]
    kinds = {s[2] for s in after_full[1]}
    assert {"peer_outlier", "sudden_change", "volume_spike", "peer_outlier_group"} <= kinds


def _province_wide_move(products, hospitals):
    """Every hospital buys the first product again in October at a third more and twice the quantity: the market's
    move (sudden change), the market's level (volume spike) and the peers' median all shift that month."""
    for h_index, hospital in enumerate(hospitals):
        observe(products[0], hospital, date(2025, 10, 25), f"{13.3 + h_index * 0.05:.4f}", quantity=200)
    return len(hospitals)


def _new_hospital(products, hospitals):
    """A hospital that never bought either product buys both in four months, one of them at twice the price: new
    peers, a new subject, one more hospital behind every market figure of those months."""
    newcomer = HospitalFactory(name="价格测试医院新", region=hospitals[0].region)
    for m_index in (2, 5, 6, 11):
        for product in products:
            price = "21.00" if (m_index, product) == (11, products[1]) else "10.10"
            observe(product, newcomer, MONTHS[m_index] + timedelta(days=14), price, quantity=90)
    return 4 * len(products)


def _late_observations(products, hospitals):
    """Late observations in old months, one of them in a month the hospital had bought nothing in (its later
    months' baselines — the last months with purchases — change), and one that is an other province's price."""
    PriceObservation.objects.filter(product=products[1], hospital=hospitals[4], observed_on__month=3).delete()
    PriceObservation.objects.update(created_at=timezone.now() - timedelta(days=1))
    first = price_scan_run(full=True, now=timezone.now() - timedelta(hours=1))
    assert first.status == first.Status.SUCCEEDED
    observe(products[1], hospitals[4], date(2025, 3, 18), "16.00", quantity=300)
    observe(products[0], hospitals[1], date(2025, 1, 28), "10.40", quantity=900)
    observe(products[0], None, date(2025, 6, 2), "30.00", source="other_province")
    return 3


@pytest.mark.parametrize(
    "new_observations",
    [_province_wide_move, _new_hospital, _late_observations],
    ids=["province-wide move", "new hospital", "late observations in old months"],
)
def test_the_incremental_scan_equals_a_full_scan_when_the_aggregates_move(year_of_prices, hospitals, new_observations):
    """The figures every hospital-month is judged against (the peers' median, the market's move and level, the
    product's spread, a hospital's usual level) move with the new observations: the incremental scan still ends where
    a full scan ends."""
    price_scan_run(full=True, now=timezone.now() - timedelta(hours=2))
    added = new_observations(year_of_prices, hospitals)
    now = timezone.now()
    incremental = price_scan_run(now=now + timedelta(minutes=1))
    assert not incremental.full and incremental.observations == added
    after_incremental = (_cases(), _signals(), _cells())
    price_scan_run(full=True, now=now + timedelta(minutes=2))
    after_full = (_cases(), _signals(), _cells())
    assert after_incremental[0] == after_full[0]
    assert after_incremental[1] == after_full[1]
    # the monthly prices the incremental scan recomputed are those a full scan rebuilds, baselines included
    assert after_incremental[2] == after_full[2]


def _volume_signals() -> set[tuple]:
    return set(Signal.objects.filter(kind="volume_spike").values_list("alert__subject_key", "month"))


def test_the_volume_spike_judges_a_month_once_it_has_closed(year_of_prices, hospitals):
    """The scans run in December 2025, the data's last month: a spike that month is not judged (a month in progress
    compared with whole months is a dip), a day's observations in it give the volume detector nothing to do, and the
    first scan of January — with nothing new — judges the closed December; each scan ends where a full scan ends."""
    spiking = hospitals[1]
    observe(year_of_prices[0], spiking, date(2025, 12, 12), "10.00", quantity=900)
    evening = timezone.make_aware(datetime(2025, 12, 20, 22, 0))
    PriceObservation.objects.update(created_at=evening - timedelta(days=1))
    price_scan_run(full=True, now=evening)
    july, december = (f"h:{hospitals[7].pk}", date(2025, 7, 1)), (f"h:{spiking.pk}", date(2025, 12, 1))
    assert july in _volume_signals() and december not in _volume_signals()

    # the next day's observations, all in the month in progress
    for hospital in hospitals[:4]:
        observe(year_of_prices[0], hospital, date(2025, 12, 21), "10.20", quantity=500)
    next_evening = evening + timedelta(days=1)
    PriceObservation.objects.filter(created_at__gt=evening).update(created_at=next_evening - timedelta(hours=1))
    incremental = price_scan_run(now=next_evening)
    assert not incremental.full and incremental.observations == 4
    assert incremental.findings["volume_spike"] == 0  # nothing to judge: the volume detector did not run
    after_incremental = (_cases(), _signals())
    price_scan_run(full=True, now=next_evening + timedelta(minutes=2))
    assert (_cases(), _signals()) == after_incremental
    assert december not in _volume_signals()

    # the night of the 1st: December has closed; nothing new arrived, and the month is judged
    first_of_january = timezone.make_aware(datetime(2026, 1, 1, 2, 0))
    nightly = price_scan_run(now=first_of_january)
    assert not nightly.full and nightly.observations == 0
    assert december in _volume_signals() and july in _volume_signals()
    after_nightly = (_cases(), _signals())
    price_scan_run(full=True, now=first_of_january + timedelta(minutes=2))
    assert (_cases(), _signals()) == after_nightly


def test_an_incremental_scan_after_a_scan_that_kept_no_monthly_prices_rebuilds_them(year_of_prices, hospitals):
    """The first scan after an upgrade (or after the sudden change's baseline parameters changed) finds the scan
    before it left no monthly prices, or other ones: it rebuilds them, and ends where a full scan ends."""
    first = price_scan_run(full=True, now=timezone.now() - timedelta(hours=2))
    type(first).objects.filter(pk=first.pk).update(monthly_prices=None)
    MonthlyPrice.objects.all().delete()
    observe(year_of_prices[0], hospitals[2], date(2025, 5, 20), "10.90", quantity=400)
    now = timezone.now()
    incremental = price_scan_run(now=now + timedelta(minutes=1))
    assert not incremental.full and incremental.monthly_prices == {"baseline_months": 3, "lookback_months": 6}
    after_incremental = (_cases(), _signals(), _cells())
    price_scan_run(full=True, now=now + timedelta(minutes=2))
    assert (_cases(), _signals(), _cells()) == after_incremental


def _statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries]


def test_the_incremental_scan_compiles_none_of_its_statements(year_of_prices, hospitals):
    """PostgreSQL JIT-compiles a statement whose estimated cost passes a threshold; an incremental scan's estimates
    pass it at a province's scale while the statements read a day's cells, and compiling took longer than running.
    The refresh of the monthly prices and every detector statement of an incremental scan turn JIT off and give
    their sorts more memory (in their transaction); a full scan's run as the server is set, but for the references'
    (never compiled)."""
    price_scan_run(full=True, now=timezone.now() - timedelta(hours=2))
    observe(year_of_prices[0], hospitals[2], date(2025, 5, 20), "10.90", quantity=400)
    with CaptureQueriesContext(connection) as incremental:
        price_scan_run(now=timezone.now() + timedelta(minutes=1))
    statements = _statements(incremental)
    heavy = [i for i, s in enumerate(statements) if s.startswith(("WITH ", "SELECT DISTINCT"))]
    assert len(heavy) >= 9  # touched subjects; the refresh's delete, insert and update; five detectors
    for i in heavy[1:]:  # the statements after the touched subjects': with more memory for their sorts too
        before = statements[max(0, i - 3) : i]
        assert "SET LOCAL jit = off" in before and "SET LOCAL work_mem = '64MB'" in before, statements[i][:100]
    with CaptureQueriesContext(connection) as full:
        price_scan_run(full=True, now=timezone.now() + timedelta(minutes=2))
    assert _statements(full).count("SET LOCAL jit = off") == 1
    assert not any("work_mem" in s for s in _statements(full))


def test_values_are_passed_as_the_text_of_an_array(db):
    """The touched hospital-months reach the statements as array texts, read back as the values they were."""
    values, months = [3, 10_000_000_001, 7], [date(2025, 12, 1), date(2026, 1, 1)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::bigint[], %s::date[], %s::bigint[]", [array_text(values), array_text(months), array_text([])]
        )
        assert cursor.fetchone() == (values, months, [])


def test_a_touched_cell_is_rewritten_in_place(year_of_prices, hospitals):
    """The refresh updates a touched hospital-month's cell where it is (its row kept: no index written when the page
    has room, which the table keeps) and adds the cell of a month the hospital had bought nothing in."""
    product, hospital = year_of_prices[0], hospitals[2]
    price_scan_run(full=True, now=timezone.now() - timedelta(hours=2))
    cell = MonthlyPrice.objects.get(product_id=product.pk, hospital_id=hospital.pk, month=date(2025, 5, 1))
    MonthlyPrice.objects.filter(product_id=product.pk, hospital_id=hospital.pk, month=date(2025, 6, 1)).delete()
    PriceObservation.objects.filter(product=product, hospital=hospital, observed_on__month=6).delete()
    observe(product, hospital, date(2025, 5, 20), "10.90", quantity=400)
    observe(product, hospital, date(2025, 6, 20), "10.30", quantity=100)
    price_scan_run(now=timezone.now() + timedelta(minutes=1))
    rewritten = MonthlyPrice.objects.get(pk=cell.pk)
    assert rewritten.price != cell.price and rewritten.quantity == cell.quantity + 400
    june = MonthlyPrice.objects.get(product_id=product.pk, hospital_id=hospital.pk, month=date(2025, 6, 1))
    assert june.price == Decimal("10.3") and june.quantity == 100
