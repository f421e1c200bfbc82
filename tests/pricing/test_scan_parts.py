"""A full scan in parts ends exactly where the one-shot full scan ends: the same cases, signals and figures, for any
number of parts, run in one call, one part at a time in any order, or resumed after a crash half-way. A peer group
stays in one part, so the group peer detector's cases and the province's cases (a province-wide price rise) come
from the part that holds the product's group."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from common.errors import ConflictError
from pricing.detectors.price import VolumeSpike
from pricing.errors import PricingError
from pricing.models import PriceAlert, PriceObservation, PriceScan, ReferencePrice, Signal
from pricing.services.scan import price_scan_run
from pricing.sql.parts import part_products
from tests.factories import ProductFactory
from tests.fixtures.prices import observe
from tests.pricing.test_scan_incremental import MONTHS, _cases, _signals

# (generic name, specification, products): groups of three, two and one product
GROUPS = [
    ("氨氯地平片", "5mg", 3),
    ("阿托伐他汀钙片", "20mg", 2),
    ("二甲双胍片", "0.5g", 2),
    ("头孢呋辛酯片", "0.25g", 1),
    ("奥美拉唑肠溶胶囊", "20mg", 1),
    ("氯吡格雷片", "75mg", 3),
]


@pytest.fixture
def world(hospitals, manufacturer):
    """Six peer groups of one to three products, eight hospitals, a year of monthly purchases with noise; planted in
    every group: a hospital's price rise, an outlier and a volume spike; in two groups a province-wide rise from
    September (all hospitals); a national lowest price under what most hospitals pay for one product."""
    rng = random.Random(11)
    products = []
    for g_index, (name, strength, count) in enumerate(GROUPS):
        for p_index in range(count):
            product = ProductFactory(manufacturer=manufacturer, generic_name=name, specification=strength)
            products.append(product)
            base = 4.0 + 3 * g_index
            for h_index, hospital in enumerate(hospitals):
                for m_index, month in enumerate(MONTHS):
                    price = base * (1 + rng.gauss(0, 0.03))
                    qty = int(100 * rng.uniform(0.8, 1.2))
                    if g_index in (1, 5) and p_index == 0 and m_index >= 8:
                        price *= 1.5  # province-wide
                    if (h_index, m_index) == ((g_index + p_index) % 8, 6):
                        qty *= 8
                    if h_index == (g_index + 3) % 8 and p_index == 0 and m_index >= 7:
                        price *= 1.6
                    if (h_index, m_index) == ((g_index + 5) % 8, (g_index + p_index) % 12):
                        price *= 2.5
                    observe(product, hospital, month + timedelta(days=9), f"{price:.4f}", quantity=qty)
    ReferencePrice.objects.create(
        product=products[3],
        kind="national_lowest",
        unit_price=Decimal("7.2000"),
        valid_from=MONTHS[0],
        source="测试",
    )
    PriceObservation.objects.update(created_at=timezone.now() - timedelta(days=1))
    return products


class Killed(BaseException):
    """The worker killed mid-step: no `except Exception` sees it, the scan stays running."""


def _forget() -> None:
    Signal.objects.all().delete()
    PriceAlert.history.all().delete()
    PriceAlert.objects.all().delete()
    PriceScan.objects.all().delete()


def _result(scan: PriceScan) -> tuple:
    counts = {k: v for k, v in scan.findings.items() if k != "_parts"}
    return _cases(), _signals(), counts, scan.alerts_opened, scan.alerts_updated


@pytest.fixture
def one_shot(world):
    """The one-shot full scan's result; the world is left without cases, signals or scans for the next."""
    now = timezone.now()
    scan = price_scan_run(full=True, now=now)
    result = _result(scan)
    kinds = {s[2] for s in result[1]}
    assert {"peer_outlier", "peer_outlier_group", "sudden_change", "volume_spike", "above_national_lowest"} <= kinds
    assert any(case[1] == "province" for case in result[0])
    _forget()
    return now, result


def test_the_parts_cover_every_product_once_and_keep_a_group_together(world):
    for parts in (1, 3, 7):
        owned = [set(part_products(k, parts)) for k in range(1, parts + 1)]
        assert sum(len(o) for o in owned) == len(world)
        assert set().union(*owned) == {p.pk for p in world}
        assert sum(1 for o in owned if o) >= min(parts, 3)  # the groups are spread: the parts are not vacuous
        for product in world:
            holding = [k for k, o in enumerate(owned) if product.pk in o]
            peers = [p for p in world if p.generic_name == product.generic_name]
            assert all(p.pk in owned[holding[0]] for p in peers)


@pytest.mark.parametrize("parts", [1, 3, 7])
def test_a_scan_in_parts_yields_what_the_one_shot_scan_yields(one_shot, parts):
    now, expected = one_shot
    scan = price_scan_run(full=True, now=now, parts=parts)
    assert scan.status == PriceScan.Status.SUCCEEDED
    assert scan.findings.get("_parts", 1) == parts and "_steps" not in scan.findings
    assert _result(scan) == expected


def test_one_part_at_a_time_in_any_order(one_shot, world):
    """`part=(k, n)`: each call runs its part's steps; the scan stays running (its watermark unmoved) until the call
    that records the last step, and the province's cases come from the part holding the product's group."""
    now, expected = one_shot
    province_products = {case[0] for case in expected[0] if case[1] == "province"}
    ran: set[int] = set()
    for k in (3, 1):
        scan = price_scan_run(full=True, now=now, part=(k, 3))
        assert scan.status == PriceScan.Status.RUNNING and scan.finished_at is None
        assert scan.findings["_parts"] == 3
        ran |= set(part_products(k, 3))
        cases = set(PriceAlert.objects.values_list("product_id", "subject_key"))
        assert {product for product, _subject in cases} <= ran
        assert {product for product, subject in cases if subject == "province"} == province_products & ran
    with pytest.raises(ConflictError) as refused:
        price_scan_run(full=True, now=now, part=(1, 7))  # another cut while this one is unfinished
    assert refused.value.code == PricingError.SCAN_RUNNING
    scan = price_scan_run(full=True, now=now, part=(2, 3))
    assert scan.status == PriceScan.Status.SUCCEEDED and PriceScan.objects.count() == 1
    assert _result(scan) == expected


def test_a_scan_killed_in_a_part_resumes_where_it_stopped(one_shot, monkeypatch):
    """A worker killed during part 2's volume spike (the scan left running, parts 1's steps and part 2's first ones
    recorded): the next run resumes it — in its own parts, whatever it is asked — and ends as the one-shot scan."""
    now, expected = one_shot
    original, calls = VolumeSpike.find, []

    def killed_in_part_two(self, scope):
        calls.append(scope.products)
        if len(calls) == 2:
            raise Killed  # not an error the scan records: as when the worker is killed
        return original(self, scope)

    monkeypatch.setattr(VolumeSpike, "find", killed_in_part_two)
    with pytest.raises(Killed):
        price_scan_run(full=True, now=now, parts=3)
    scan = PriceScan.objects.get()
    assert scan.status == PriceScan.Status.RUNNING
    assert scan.findings["_steps"]["volume_spike"].keys() == {"1"}
    monkeypatch.setattr(VolumeSpike, "find", original)
    resumed = price_scan_run(now=now + timedelta(hours=1))  # the nightly run takes it over
    assert resumed.pk == scan.pk and resumed.status == PriceScan.Status.SUCCEEDED
    assert resumed.until == now
    assert _result(resumed) == expected


def test_only_a_full_scan_is_cut(world):
    with pytest.raises(ValueError, match="full"):
        price_scan_run(parts=3)
    with pytest.raises(ValueError, match="part 4 of 3"):
        price_scan_run(full=True, part=(4, 3))
    assert not PriceScan.objects.exists()


def test_the_command_runs_a_scan_in_parts_or_one_part(peer_world, capsys):
    call_command("scan_prices", "--full", "--part", "2/2")
    out = capsys.readouterr().out
    assert "第 2 部分完成，扫描未结束" in out
    assert PriceScan.objects.get().status == PriceScan.Status.RUNNING
    call_command("scan_prices", "--full", "--part", "1/2")
    out = capsys.readouterr().out
    assert "全量，分 2 部分" in out and "新开预警 1" in out
    call_command("scan_prices", "--full", "--parts", "3")
    assert "全量，分 3 部分" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("scan_prices", "--parts", "3")
    with pytest.raises(CommandError):
        call_command("scan_prices", "--full", "--part", "3/2")
