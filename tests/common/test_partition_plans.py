"""The hot queries' plans read only the monthly partitions of the months they cover (docs/scale-out.md): `EXPLAIN`
of each, with a month range, names only the expected partitions of the flow tables.

Plan-time pruning (constant bounds) shows in `EXPLAIN`; the incremental price scan's bounds come from the months
it finds touched, so it prunes when it runs: `EXPLAIN ANALYZE` shows the other partitions never executed."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from psycopg.sql import SQL

from common.partitions import ddl
from pricing.detectors.price import PeerOutlier, SuddenChange, VolumeSpike
from pricing.models import PriceObservation
from pricing.sql.detectors import Scope, touched_product_months
from procurement.sql import online_share, progress
from settlement import sql as settlement_sql
from tests.factories import HospitalFactory, ProductFactory

pytestmark = pytest.mark.django_db

RECEIPTS, RETURNS = "procurement_receiptline", "procurement_goodsreturnline"
OBSERVATIONS, LINES = "pricing_priceobservation", "settlement_settlementline"


def _month(n: int) -> date:
    """A month the migrations partitioned: `n` months after January of last year."""
    return ddl.add_months(date(timezone.localdate().year - 1, 1, 1), n)


def _walk(node: dict, *, analyze: bool, skip: tuple[str, ...]):
    if node.get("Subplan Name") in skip:
        return
    if "Relation Name" in node and (not analyze or node.get("Actual Loops", 0) > 0):
        yield node["Relation Name"]
    for child in node.get("Plans", []):
        yield from _walk(child, analyze=analyze, skip=skip)


def scanned(statement, params: dict, *, analyze: bool = False, skip: tuple[str, ...] = ()) -> dict[str, set]:
    """Per flow table, the partitions the plan reads: months (first days) and 'default'."""
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    with connection.cursor() as cursor:
        cursor.execute(SQL("EXPLAIN ({}) ").format(SQL(options)) + statement, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found: dict[str, set] = {}
    for relation in _walk(plan[0]["Plan"], analyze=analyze, skip=skip):
        for table in (RECEIPTS, RETURNS, OBSERVATIONS, LINES):
            if relation == ddl.default_name(table):
                found.setdefault(table, set()).add("default")
            elif relation.startswith(f"{table}_p"):
                year, month = relation[len(table) + 2 :].split("_")
                found.setdefault(table, set()).add(date(int(year), int(month), 1))
    return found


def test_online_share_reads_the_months_of_its_range():
    first = _month(2)
    statement = online_share.share_statement(by_region=False, per_month=True, some_hospitals=False, in_region=False)
    params = {
        "month_from": first,
        "date_to": ddl.add_months(first, 2) - timedelta(days=1),
        "classes": ["drug"],
        "hospital_ids": [],
        "region_id": None,
    }
    months = {first, ddl.add_months(first, 1)}
    assert scanned(statement, params) == {RECEIPTS: months, RETURNS: months}


def _progress_params(as_of: date, flows_from: date, hospital_id=None) -> dict:
    thresholds = progress.Thresholds(
        behind_bp=8000, at_risk_bp=9000, window_months=3, grace_days=30, lag_bp=9000, due_days=3
    )
    return {**progress.run_params(thresholds, as_of=as_of, hospital_id=hospital_id), "flows_from": flows_from}


@pytest.mark.parametrize("scoped", [False, True])
def test_commitment_progress_reads_the_months_from_the_first_cycle_to_as_of(scoped):
    first = _month(3)
    as_of = ddl.add_months(first, 3) - timedelta(days=1)
    statement = progress.create_flows(scoped=scoped)
    months = {first, ddl.add_months(first, 1), ddl.add_months(first, 2)}
    found = scanned(statement, _progress_params(as_of, first, hospital_id=1 if scoped else None))
    assert found == {RECEIPTS: months, RETURNS: months}


def test_settlement_reads_one_month_to_plan_and_nothing_after_it_to_settle():
    month = _month(4)
    end = ddl.add_months(month, 1)
    pairs = scanned(settlement_sql.hospital_pairs(region=False), {"start": month, "end": end, "region": None})
    assert pairs == {RECEIPTS: {month}}

    params = {
        "end": end,
        "month": month,
        "period_last": end - timedelta(days=1),
        "region": None,
        "after": None,
        "upto": None,
        "period_code": month.strftime("%Y%m"),
        "claim_due": end + timedelta(days=5),
        "payment_term_days": 30,
        "run": None,
        "now": timezone.now(),
    }
    found = scanned(settlement_sql.write_range(region=False, after=False, upto=False), params)
    # every unsettled line before the month's end is settled: the earlier months and DEFAULT, never a later month
    earlier = {*ddl.months(_month(0), month), "default"}
    assert found[RECEIPTS] == earlier
    assert found[RETURNS] == earlier


def _observation(product, hospital, day: date) -> None:
    PriceObservation.objects.create(
        product=product,
        hospital=hospital,
        observed_on=day,
        unit_price=Decimal("2.0000"),
        quantity=100,
        amount=Decimal("200.00"),
        source=PriceObservation.Source.PLATFORM_RECEIPT,
    )


@pytest.mark.parametrize("detector", [PeerOutlier(), SuddenChange()], ids=lambda d: d.name)
def test_incremental_price_scan_reads_the_touched_months_and_their_lookback(detector):
    product, hospital = ProductFactory(), HospitalFactory()
    this_month = ddl.month_start(timezone.localdate())
    year_ago = ddl.add_months(this_month, -12)
    _observation(product, hospital, year_ago)
    _observation(product, hospital, ddl.add_months(this_month, -1))
    since = timezone.now()
    _observation(product, hospital, this_month)
    statement, values = detector.sql(Scope(full=False, since=since, until=timezone.now() + timedelta(seconds=1)))

    # `touched` (what arrived since the last scan) is found by `created_at`, an index probe in every month; the
    # detectors then read from the months they compare with (at most six before the first touched month) on
    found = scanned(statement, {**detector.params, **values}, analyze=True, skip=("CTE touched",))

    earliest = ddl.add_months(this_month, -6)
    months = {m for m in found[OBSERVATIONS] if m != "default"}
    assert this_month in months
    assert year_ago not in months
    assert min(months) >= earliest


def test_the_volume_spike_reads_every_complete_month_of_the_touched_products():
    """A hospital's usual level is its median over all its months: a late observation in last month has the volume
    spike read every complete month of the product; the month in progress, which it does not judge yet, is read by
    none of its figures, and new observations in it alone leave it nothing to read."""
    detector, product, hospital = VolumeSpike(), ProductFactory(), HospitalFactory()
    this_month = ddl.month_start(timezone.localdate())
    year_ago, last_month = ddl.add_months(this_month, -12), ddl.add_months(this_month, -1)
    _observation(product, hospital, year_ago)
    since = timezone.now()
    _observation(product, hospital, this_month)
    scope = Scope(full=False, since=since, until=timezone.now() + timedelta(seconds=1))
    scope = Scope(full=False, since=scope.since, until=scope.until, touched=touched_product_months(scope))
    assert detector.sql(scope) is None

    _observation(product, hospital, last_month)
    scope = Scope(full=False, since=since, until=timezone.now() + timedelta(seconds=1))
    scope = Scope(full=False, since=scope.since, until=scope.until, touched=touched_product_months(scope))
    statement, values = detector.sql(scope)
    months = {m for m in scanned(statement, {**detector.params, **values})[OBSERVATIONS] if m != "default"}
    assert year_ago in months and last_month in months
    assert max(months) == last_month


@pytest.mark.parametrize("detector", [PeerOutlier(), SuddenChange()], ids=lambda d: d.name)
def test_an_incremental_scan_with_its_touched_months_prunes_when_planned(detector):
    product, hospital = ProductFactory(), HospitalFactory()
    this_month = ddl.month_start(timezone.localdate())
    _observation(product, hospital, ddl.add_months(this_month, -12))
    since = timezone.now()
    _observation(product, hospital, this_month)
    scope = Scope(full=False, since=since, until=timezone.now() + timedelta(seconds=1))
    scope = Scope(full=False, since=scope.since, until=scope.until, touched=touched_product_months(scope))
    assert scope.touched == ((product.pk, this_month),)
    statement, values = detector.sql(scope)

    # the touched product-months are values and the months read constants: the plan itself names only those months
    found = scanned(statement, {**detector.params, **values})

    months = {m for m in found[OBSERVATIONS] if m != "default"}
    assert this_month in months
    assert min(months) >= ddl.add_months(this_month, -int(detector.params.get("lookback_months", 0)))
