"""Keeping the monthly partitions: months created ahead (the beat job), rows that landed in a DEFAULT partition
reported, a closed year detached to the archive schema.

A row lands in a table's DEFAULT partition only when its month has no partition of its own — the beat job did not
run, or a date far from today (a mistyped year). `partitions_ensure` moves such rows into the months it creates; what
stays in DEFAULT is logged as an error every run and shown by the system check `common.W010` until someone adds
the month (`manage.py partitions_ensure --from YYYY-MM`) or corrects the row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import CommonError, ValidationFailed
from . import ddl

logger = logging.getLogger(__name__)

ARCHIVE_SCHEMA = "archive"


@dataclass
class EnsureResult:
    created: list[str] = field(default_factory=list)
    default_rows: dict[str, int] = field(default_factory=dict)  # tables whose DEFAULT partition holds rows


def default_partition_rows() -> dict[str, int]:
    """Per partitioned table with rows in its DEFAULT partition, how many."""
    with connection.cursor() as cursor:
        counts = {part.table: ddl.default_rows(cursor, part.table) for part in ddl.partitioned_tables(cursor)}
    return {table: n for table, n in counts.items() if n}


@transaction.atomic
def partitions_ensure(*, first: date | None = None, months_ahead: int | None = None) -> EnsureResult:
    """A partition for every month from `first`'s (default: this month) to `months_ahead` months after this one
    (default: settings.PARTITION_MONTHS_AHEAD), in every partitioned table; rows of those months waiting in a
    DEFAULT partition move into them. Idempotent. Logs an error per table whose DEFAULT partition still holds
    rows."""
    this_month = ddl.month_start(timezone.localdate())
    ahead = settings.PARTITION_MONTHS_AHEAD if months_ahead is None else months_ahead
    wanted = ddl.months(first or this_month, ddl.add_months(this_month, ahead))
    result = EnsureResult()
    with connection.cursor() as cursor:
        for part in ddl.partitioned_tables(cursor):
            for month in wanted:
                if ddl.create_month(cursor, part, month):
                    result.created.append(ddl.partition_name(part.table, month))
    result.default_rows = default_partition_rows()
    for table, rows in result.default_rows.items():
        logger.error(
            "%s rows of %s are in its DEFAULT partition: their months have no partition (manage.py partitions_ensure"
            " --from YYYY-MM adds them)",
            rows,
            table,
        )
    return result


@transaction.atomic
def partitions_archive(*, year: int, schema: str = ARCHIVE_SCHEMA) -> list[str]:
    """Detach every month of `year` from every partitioned table and move it to `schema` (`archive`): the rows
    leave the platform's queries and stay readable as `archive.<table>_pYYYY_MM`, ready for `pg_dump -n archive`
    and cheaper storage. Only a closed year (before this one); months already archived are skipped. Returns the
    detached partitions."""
    if year >= timezone.localdate().year:
        raise ValidationFailed(
            _("只能归档已结束的年度（%(year)s 年尚未结束）。") % {"year": year},
            field="year",
            code=CommonError.YEAR_NOT_CLOSED,
        )
    detached = []
    with connection.cursor() as cursor:
        for part in ddl.partitioned_tables(cursor):
            for month in ddl.months(date(year, 1, 1), date(year, 12, 1)):
                name = ddl.detach(cursor, part.table, month, schema=schema)
                if name:
                    detached.append(f"{schema}.{name}")
    logger.info("archived %s partitions of %s to schema %s", len(detached), year, schema)
    return detached
