"""Each detector on a small world whose anomalies are known."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pricing.detectors import Scope, registry
from pricing.models import ReferencePrice
from tests.factories import HospitalFactory, ProductFactory
from tests.fixtures.prices import observe

FULL = Scope(full=True)


def find(name, **params):
    detector = registry()[name]
    if params:
        detector = type(detector)(
            **({"name": detector.name} if detector.name.startswith("peer") else {}), **{**detector.params, **params}
        )
    return detector.find(FULL)


def test_peer_outlier_flags_only_the_far_hospital(peer_world, product):
    findings = find("peer_outlier")
    assert [(f.product_id, f.subject_key) for f in findings] == [(product.pk, f"h:{peer_world.pk}")]
    f = findings[0]
    assert f.period_start == date(2026, 3, 1) and f.period_end == date(2026, 3, 31)
    assert f.observed_price == Decimal("2.6000")
    assert f.reference_value == Decimal("1.0050")  # median of eight: (1.00 + 1.01) / 2
    assert f.evidence["peers"] == 8 and len(f.evidence["distribution"]) == 8
    assert f.evidence["z"] > 3.5
    assert f.amount_at_stake == Decimal("159.50")  # (2.60 − 1.005) × 100


def test_peer_outlier_evidence_lists_every_peer_cheapest_first(hospitals, product):
    """The distribution the alert page charts: each hospital's month price (quantity-weighted, 4 places, half up), its
    quantity, cheapest first; equal prices by hospital."""
    observe(product, hospitals[0], date(2026, 3, 2), "1.00", quantity=100)
    observe(product, hospitals[0], date(2026, 3, 20), "1.01", quantity=200)  # (100 + 202) / 300 = 1.00666…
    for h, p in zip(hospitals[1:], ["1.02", "0.98", "1.02", "0.99", "1.03", "0.97", "2.60"], strict=True):
        observe(product, h, date(2026, 3, 10), p)
    [f] = find("peer_outlier")
    assert f.subject_key == f"h:{hospitals[7].pk}"
    order = [
        (6, "0.9700"),
        (2, "0.9800"),
        (4, "0.9900"),
        (0, "1.0067"),
        (1, "1.0200"),
        (3, "1.0200"),
        (5, "1.0300"),
        (7, "2.6000"),
    ]
    assert f.evidence["distribution"] == [
        {"hospital_id": hospitals[i].pk, "product_id": product.pk, "price": price, "quantity": 300 if i == 0 else 100}
        for i, price in order
    ]
    assert (f.evidence["price"], f.evidence["median"], f.evidence["mad"]) == ("2.6000", "1.0133", "0.0200")
    assert (f.evidence["peers"], f.evidence["quantity"], f.evidence["month"]) == (8, 100, "2026-03-01")


def test_peer_outlier_evidence_keeps_the_cheapest_peers_up_to_the_limit(peer_world, product, monkeypatch):
    from pricing.detectors.price import PeerOutlier

    monkeypatch.setattr(PeerOutlier, "DISTRIBUTION_LIMIT", 3)
    [f] = find("peer_outlier")
    assert [d["price"] for d in f.evidence["distribution"]] == ["0.9700", "0.9800", "0.9900"]
    assert f.evidence["peers"] == 8


def test_peer_outlier_weighted_price_of_whole_number_prices_is_not_truncated(hospitals, product):
    """The month's mean of ¥3.00 and ¥4.00 is ¥3.50, not a whole number."""
    for h in hospitals[:6]:
        observe(product, h, date(2026, 3, 10), "1.00")
    observe(product, hospitals[6], date(2026, 3, 11), "3.00")
    observe(product, hospitals[6], date(2026, 3, 12), "4.00")
    [f] = find("peer_outlier")
    assert (f.observed_price, f.evidence["quantity"]) == (Decimal("3.5000"), 200)
    assert f.evidence["distribution"][-1]["price"] == "3.5000"


def test_peer_outlier_needs_enough_peers_then_uses_the_ratio(hospitals, product):
    for h, p in zip(hospitals[:3], ["1.00", "1.10", "1.60"], strict=True):
        observe(product, h, date(2026, 3, 5), p)
    assert find("peer_outlier") == []  # 1.60 / 1.10 < 1.5: below the small-group ratio
    observe(product, hospitals[3], date(2026, 3, 6), "2.40")
    # four hospitals: median (1.10 + 1.60) / 2 = 1.35; 2.40 / 1.35 = 1.78 ≥ 1.5; the cheap 1.00 is not a finding
    assert [f.subject_key for f in find("peer_outlier")] == [f"h:{hospitals[3].pk}"]
    assert find("peer_outlier", ratio=2.0) == []
    # with low_side, 1.00 / 1.35 = 0.74 ≤ 1 / 1.3 is flagged too
    low = {f.subject_key for f in find("peer_outlier", ratio=1.3, low_side=True)}
    assert low == {f"h:{hospitals[0].pk}", f"h:{hospitals[3].pk}"}


def test_peer_outlier_by_group_compares_products_of_the_same_generic_form_and_strength(
    hospitals, product, manufacturer
):
    twin = ProductFactory(manufacturer=manufacturer, generic_name="阿托伐他汀钙片", specification="20mg")
    other_strength = ProductFactory(manufacturer=manufacturer, generic_name="阿托伐他汀钙片", specification="10mg")
    for i, h in enumerate(hospitals[:6]):
        observe(product if i % 2 else twin, h, date(2026, 4, 2), "1.00" if i < 5 else "1.01")
    observe(twin, hospitals[6], date(2026, 4, 3), "3.50")
    observe(other_strength, hospitals[7], date(2026, 4, 3), "9.00")  # another group: alone, never compared
    findings = find("peer_outlier_group")
    assert [(f.product_id, f.subject_key) for f in findings] == [(twin.pk, f"h:{hospitals[6].pk}")]
    assert "20mg" in findings[0].evidence["group"]
    assert {d["product_id"] for d in findings[0].evidence["distribution"]} == {product.pk, twin.pk}


def test_sudden_change_against_a_robust_baseline_net_of_the_market(hospitals, product):
    for month in (1, 2):
        for h in hospitals[:7]:
            observe(product, h, date(2026, month, 15), "1.00")
    # March: hospital 0 +40 %, the others +5 % (the market's move): 1.40 / 1.05 = +33 % net, flagged
    observe(product, hospitals[0], date(2026, 3, 15), "1.40")
    for h in hospitals[1:6]:
        observe(product, h, date(2026, 3, 15), "1.05")
    # hospital 6 skipped March; April +40 % against its last months with purchases (January, February)
    observe(product, hospitals[6], date(2026, 4, 15), "1.40")
    for h in hospitals[1:6]:
        observe(product, h, date(2026, 4, 15), "1.00")
    findings = {(f.subject_key, f.period_start): f for f in find("sudden_change")}
    assert set(findings) == {(f"h:{hospitals[0].pk}", date(2026, 3, 1)), (f"h:{hospitals[6].pk}", date(2026, 4, 1))}
    march = findings[(f"h:{hospitals[0].pk}", date(2026, 3, 1))]
    assert march.deviation == Decimal("0.4000") and march.evidence["market_move"] == 1.05
    assert march.evidence["baseline"] == "1.0000" and march.evidence["baseline_months"] == 2
    assert march.strength > 1


def test_a_province_wide_move_is_not_each_hospitals_anomaly(hospitals, product):
    for month in (1, 2):
        for h in hospitals[:6]:
            observe(product, h, date(2026, month, 15), "1.00")
    for h in hospitals[:6]:
        observe(product, h, date(2026, 3, 15), "1.50")
    keys = {(f.subject_key, f.period_start) for f in find("sudden_change")}
    assert keys == {("province", date(2026, 3, 1))}
    assert find("sudden_change", province_wide=False) == []


def test_above_reference_payment_standard_and_national_lowest(hospitals, product):
    ReferencePrice.objects.create(
        product=product,
        kind="payment_standard",
        unit_price=Decimal("1.2000"),
        valid_from=date(2026, 1, 1),
        source="测试",
    )
    ReferencePrice.objects.create(
        product=product,
        kind="national_lowest",
        unit_price=Decimal("1.1000"),
        valid_from=date(2026, 3, 1),
        valid_to=date(2026, 3, 31),
        source="测试",
    )
    observe(product, hospitals[0], date(2026, 2, 10), "1.15")  # below the payment standard; national ref not valid yet
    observe(product, hospitals[1], date(2026, 3, 10), "1.15", quantity=50)  # above national lowest only
    observe(product, hospitals[2], date(2026, 3, 11), "1.30", quantity=10)  # above both
    findings = {(f.subject_key, f.detector): f for f in find("above_reference")}
    assert set(findings) == {
        (f"h:{hospitals[1].pk}", "above_national_lowest"),
        (f"h:{hospitals[2].pk}", "above_national_lowest"),
        (f"h:{hospitals[2].pk}", "above_payment_standard"),
    }
    # both are references, not rules: informational signals, which never open a case on their own
    assert all(f.informational for f in findings.values())
    national = findings[(f"h:{hospitals[2].pk}", "above_national_lowest")]
    assert national.reference_value == Decimal("1.1000") and national.amount_at_stake == Decimal("2.00")
    assert findings[(f"h:{hospitals[2].pk}", "above_payment_standard")].amount_at_stake == Decimal("1.00")
    assert findings[(f"h:{hospitals[1].pk}", "above_national_lowest")].amount_at_stake == Decimal("2.50")


def test_non_selected_premium(hospitals, product):
    ReferencePrice.objects.create(
        product=product,
        kind="vbp_awarded",
        unit_price=Decimal("0.5000"),
        selected=False,
        lot_label="阿托伐他汀钙片 口服常释剂型",
        valid_from=date(2026, 1, 1),
        source="测试",
    )
    observe(product, hospitals[0], date(2026, 3, 1), "0.99")  # < 2 ×
    observe(product, hospitals[1], date(2026, 3, 1), "1.20")  # 2.4 ×
    findings = find("non_selected_premium")
    assert [f.subject_key for f in findings] == [f"h:{hospitals[1].pk}"]
    assert findings[0].evidence["lot"] == "阿托伐他汀钙片 口服常释剂型"


def test_volume_spike_needs_a_relative_and_an_absolute_excess(hospitals, manufacturer):
    pricey = ProductFactory(manufacturer=manufacturer, generic_name="注射用曲妥珠单抗")
    cheap = ProductFactory(manufacturer=manufacturer, generic_name="维生素C片")
    h = hospitals[0]
    for month, qty in [(1, 100), (2, 120), (3, 90), (4, 110), (5, 500)]:
        observe(pricey, h, date(2026, month, 5), "800.00", quantity=qty)
        # the same relative jump, but 3,950 extra tablets at ¥0.05 are ¥197.50: below the absolute floor
        observe(cheap, h, date(2026, month, 5), "0.05", quantity=qty * 10)
    findings = find("volume_spike")
    assert [(f.product_id, f.period_start) for f in findings] == [(pricey.pk, date(2026, 5, 1))]
    # the usual month: the median of the log quantities of the other months (100, 110 → √(100 × 110))
    assert findings[0].evidence["usual_quantity"] == "104.9"
    assert findings[0].evidence["history_months"] == 4
    assert len(find("volume_spike", min_excess_amount=100.0)) == 2


def test_volume_spike_reads_small_quantities_as_counts(hospitals, manufacturer):
    """A hospital that uses one or two units a month and buys six has the same ratio as one that uses a hundred or
    two and buys six hundred; only the second is beyond chance (Poisson: small counts vary by whole units)."""
    few = ProductFactory(manufacturer=manufacturer, generic_name="冠脉药物洗脱支架")
    many = ProductFactory(manufacturer=manufacturer, generic_name="注射用曲妥珠单抗")
    h = hospitals[0]
    for month, qty in [(1, 1), (2, 2), (3, 1), (4, 2), (5, 1), (6, 6)]:
        observe(few, h, date(2026, month, 5), "5000.00", quantity=qty)
        observe(many, h, date(2026, month, 5), "50.00", quantity=qty * 100)
    findings = find("volume_spike")
    assert [(f.product_id, f.period_start) for f in findings] == [(many.pk, date(2026, 6, 1))]
    # the usual month: the mean of the other five months' logs without the highest and the lowest (100, 100, 200)
    assert findings[0].evidence["usual_quantity"] == "126"
    assert findings[0].evidence["history_months"] == 5
    assert findings[0].evidence["robust_z"] > 3


def test_volume_spike_ignores_a_market_wide_rise(hospitals, manufacturer):
    """Every hospital buys 4 × more in May (a season, a new indication): no hospital's anomaly."""
    pricey = ProductFactory(manufacturer=manufacturer, generic_name="注射用曲妥珠单抗")
    for h in hospitals[:6]:
        for month, qty in [(1, 100), (2, 120), (3, 90), (4, 110), (5, 440)]:
            observe(pricey, h, date(2026, month, 5), "800.00", quantity=qty)
    assert find("volume_spike") == []
    assert len(find("volume_spike", min_market=10)) == 6  # without the market's move, all six would be flagged


STEADY = [100, 105, 96, 102, 98, 104, 97, 101, 99]  # a hospital's months, ±5 %


def test_volume_spike_near_the_threshold_found_with_the_products_spread(hospitals, manufacturer):
    """A 3.3 × month at a hospital whose own months swing ±40 %: eight months say little about its noise, and on them
    alone the month is 3.1 spreads out (below `z` 3.5). The product's other hospitals buy it steadily, so the
    spread shrunk towards theirs finds it."""
    pricey = ProductFactory(manufacturer=manufacturer, generic_name="注射用曲妥珠单抗")
    swinging = [100, 160, 70, 130, 80, 150, 95, 120]
    for h in hospitals[:6]:
        for month, qty in enumerate(STEADY, start=1):
            if h == hospitals[0]:
                qty = swinging[month - 1] if month <= 8 else 360
            observe(pricey, h, date(2026, month, 5), "800.00", quantity=qty)
    [finding] = find("volume_spike")
    assert (finding.subject_key, finding.period_start) == (f"h:{hospitals[0].pk}", date(2026, 9, 1))
    assert finding.evidence["robust_z"] > 3.5 and finding.evidence["history_months"] == 8
    assert find("volume_spike", pool_weight=0.0) == []  # its own months' spread alone: 3.1 spreads


def test_volume_spike_a_month_within_the_products_swings_is_not_flagged(hospitals, manufacturer):
    """A hospital that bought steadily buys 3.3 × its usual once, in a product every other hospital buys in swings
    of ×0.5–×2.5 from month to month: its own steady months alone would make that 5 spreads; against the product's
    spread it is not beyond chance."""
    pricey = ProductFactory(manufacturer=manufacturer, generic_name="注射用曲妥珠单抗")
    swings = [100, 250, 60, 180, 50, 210, 90, 240, 70]
    for n, h in enumerate(hospitals[:6]):
        for month in range(1, 10):
            qty = swings[(month + 2 * n) % 9] if n else (330 if month == 9 else STEADY[month - 1])
            observe(pricey, h, date(2026, month, 5), "800.00", quantity=qty)
    assert find("volume_spike") == []
    assert [f.subject_key for f in find("volume_spike", pool_weight=0.0)] == [f"h:{hospitals[0].pk}"]


def test_volume_spike_a_lasting_province_wide_shift_is_not_flagged(hospitals, manufacturer):
    """Every hospital buys twice as much from May on (a new indication, a substitution): the months before and after
    compare once the market's level is taken out; one hospital's 4 × July is still found."""
    pricey = ProductFactory(manufacturer=manufacturer, generic_name="注射用曲妥珠单抗")
    for n, h in enumerate(hospitals[:6]):
        for month, qty in enumerate(STEADY, start=1):
            qty = qty * (2 if month >= 5 else 1) + n
            if n == 3 and month == 7:
                qty *= 4
            observe(pricey, h, date(2026, month, 5), "800.00", quantity=qty)
    findings = find("volume_spike")
    assert [(f.subject_key, f.period_start) for f in findings] == [(f"h:{hospitals[3].pk}", date(2026, 7, 1))]
    # judged against the doubled level: the months before May count, net of the market's move, as ≈ 200 too
    assert 180 < float(findings[0].evidence["expected_quantity"]) < 230


@pytest.mark.parametrize(
    "name", ["peer_outlier", "sudden_change", "above_reference", "non_selected_premium", "volume_spike"]
)
def test_no_findings_on_an_empty_world(db, name):
    assert find(name) == []


def test_other_province_and_retail_prices_are_not_what_hospitals_paid(hospitals, product):
    for h, p in zip(hospitals, ["1.00", "1.02", "0.98", "1.01", "0.99", "1.03", "0.97", "1.00"], strict=True):
        observe(product, h, date(2026, 3, 10), p)
    other = HospitalFactory(name="外省参考")
    observe(product, other, date(2026, 3, 10), "9.00", source="retail_survey")
    assert find("peer_outlier") == []
