"""Monthly partitions of the flow tables (common.partitions, docs/scale-out.md): what `migrate` builds, the keys
that keep the invariants, the months created ahead, the DEFAULT partition's alert and the archive of a closed year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from common.errors import CommonError, ValidationFailed
from common.partitions import ddl
from common.partitions.checks import default_partitions_check
from common.partitions.services import default_partition_rows, partitions_archive, partitions_ensure
from pricing.models import PriceObservation
from settlement.models import SettlementLine
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

FLOW = {
    "procurement_receiptline": "received_on",
    "procurement_goodsreturnline": "returned_on",
    "pricing_priceobservation": "observed_on",
    "settlement_settlementline": "received_on",
    "common_auditevent": "at",
}


def _first_month() -> date:
    """The first month the migrations partition: January of last year."""
    return date(timezone.localdate().year - 1, 1, 1)


def _observation(product, day: date, receipt_line_id: int | None = None) -> PriceObservation:
    return PriceObservation.objects.create(
        product=product,
        observed_on=day,
        unit_price=Decimal("1.2000"),
        quantity=10,
        amount=Decimal("12.00"),
        source=PriceObservation.Source.PLATFORM_RECEIPT,
        receipt_line_id=receipt_line_id,
    )


def _settlement_line(receipt_line_id: int, day: date, kind: str = "receipt") -> SettlementLine:
    # statement, receipt line and product are references without a database foreign key (settlement.models)
    return SettlementLine.objects.create(
        statement_id=1,
        kind=kind,
        receipt_line_id=receipt_line_id,
        product_id=1,
        received_on=day,
        min_units=10,
        unit_price=Decimal("1.0000"),
        settled_unit_price=Decimal("1.0000"),
        gross_amount=Decimal("10.00"),
        amount=Decimal("10.00"),
        due_on=day,
    )


def _where(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY 1",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def test_migrate_builds_the_flow_tables_partitioned_by_month():
    with connection.cursor() as cursor:
        found = {p.table: p.column for p in ddl.partitioned_tables(cursor)}
        assert found == FLOW
        for table, column in FLOW.items():
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
                [table],
            )
            assert cursor.fetchone()[0] == f"PRIMARY KEY (id, {column})"
    this_month = ddl.month_start(timezone.localdate())
    for table in FLOW:
        partitions = _where(table)
        assert ddl.default_name(table) in partitions
        for month in ddl.months(_first_month(), ddl.add_months(this_month, 3)):
            assert ddl.partition_name(table, month) in partitions


def test_ids_come_from_one_sequence_in_every_month_and_the_default_partition():
    product = ProductFactory()
    rows = [_observation(product, day) for day in (date(2019, 5, 1), _first_month(), timezone.localdate())]
    ids = [row.pk for row in rows]
    assert len(set(ids)) == 3 and ids == sorted(ids)
    assert PriceObservation.objects.get(pk=ids[0]).observed_on == date(2019, 5, 1)  # Django's pk is still `id`


def test_one_observation_per_receipt_line_is_a_key_of_the_database():
    product = ProductFactory()
    day = timezone.localdate()
    _observation(product, day, receipt_line_id=4242)
    with pytest.raises(IntegrityError), transaction.atomic():
        _observation(product, day, receipt_line_id=4242)
    assert PriceObservation.objects.filter(receipt_line_id=4242).count() == 1


def test_a_receipt_line_is_settled_at_most_once_by_the_database():
    day = timezone.localdate()
    _settlement_line(7001, day)
    with pytest.raises(IntegrityError), transaction.atomic():
        _settlement_line(7001, day)
    assert SettlementLine.objects.filter(receipt_line_id=7001).count() == 1


def test_rows_of_a_month_without_partition_land_in_default_and_are_reported():
    product = ProductFactory()
    early = ddl.add_months(_first_month(), -1)
    row = _observation(product, early)
    assert default_partition_rows() == {"pricing_priceobservation": 1}
    warnings = default_partitions_check(databases=["default"])
    assert [w.id for w in warnings] == ["common.W010"]
    assert "pricing_priceobservation" in warnings[0].msg
    assert default_partitions_check(databases=None) == []  # only with --database

    result = partitions_ensure(first=early)

    partition = ddl.partition_name("pricing_priceobservation", early)
    assert partition in result.created and result.default_rows == {}
    assert default_partitions_check(databases=["default"]) == []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {partition}")
        assert cursor.fetchall() == [(row.pk,)]
    assert partitions_ensure(first=early).created == []  # idempotent


def test_the_nightly_job_creates_months_ahead():
    this_month = ddl.month_start(timezone.localdate())
    result = partitions_ensure(months_ahead=5)
    ahead = [ddl.add_months(this_month, 4), ddl.add_months(this_month, 5)]
    assert sorted(result.created) == sorted(ddl.partition_name(t, m) for t in FLOW for m in ahead)
    task = PeriodicTask.objects.get(task="common.ensure_partitions")
    assert task.enabled and task.crontab.hour == "0"


def test_a_closed_year_is_detached_to_the_archive_schema():
    year = _first_month().year
    product = ProductFactory()
    old = _observation(product, date(year, 3, 15))
    kept = _observation(product, timezone.localdate())

    out = StringIO()
    call_command("partitions_archive", "--year", str(year), stdout=out)
    assert f"detached {12 * len(FLOW)} partitions" in out.getvalue()

    assert list(PriceObservation.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not [
        name for name in _where("pricing_priceobservation") if name.startswith(f"pricing_priceobservation_p{year}")
    ]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT id FROM archive."pricing_priceobservation_p{year}_03"')
        assert cursor.fetchall() == [(old.pk,)]
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'archive'")
        assert cursor.fetchone()[0] == 12 * len(FLOW)
    assert partitions_archive(year=year) == []  # already archived


def test_the_current_year_is_not_archived():
    year = timezone.localdate().year
    with pytest.raises(ValidationFailed) as refused:
        partitions_archive(year=year)
    assert refused.value.code == CommonError.YEAR_NOT_CLOSED and refused.value.field == "year"
    with pytest.raises(CommandError):
        call_command("partitions_archive", "--year", str(year))
    assert ddl.partition_name("pricing_priceobservation", date(year, 1, 1)) in _where("pricing_priceobservation")
