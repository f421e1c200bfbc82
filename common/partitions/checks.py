"""System check (`manage.py check --database default`, and `migrate`): rows in a DEFAULT partition mean months
without a partition of their own (common.partitions.services)."""

from __future__ import annotations

from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError

from .services import default_partition_rows


def default_partitions_check(app_configs=None, databases=None, **kwargs) -> list[CheckWarning]:
    if not databases or "default" not in databases:
        return []
    try:
        rows = default_partition_rows()
    except DatabaseError:  # not migrated yet: nothing is partitioned
        return []
    return [
        CheckWarning(
            f"{n} rows of {table} are in its DEFAULT partition: their months have no partition of their own.",
            hint="manage.py partitions_ensure --from YYYY-MM adds the months and moves the rows into them.",
            id="common.W010",
        )
        for table, n in sorted(rows.items())
    ]
