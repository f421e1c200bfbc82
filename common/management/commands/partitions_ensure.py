"""Create the flow tables' monthly partitions (what the beat job `common.ensure_partitions` does), optionally from
an earlier month: `manage.py partitions_ensure --from 2024-01` adds 2024's months and moves their rows out of the
DEFAULT partitions."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from common.partitions.services import partitions_ensure


def _month(value: str) -> date:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError as error:
        raise CommandError(f"--from: a month as YYYY-MM, not {value!r}") from error


class Command(BaseCommand):
    help = "Create the monthly partitions of the flow tables ahead (and from --from)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=_month, help="first month, YYYY-MM (default: this month)")
        parser.add_argument("--ahead", type=int, help="months after this one (default: PARTITION_MONTHS_AHEAD)")

    def handle(self, *args, first=None, ahead=None, **options):
        result = partitions_ensure(first=first, months_ahead=ahead)
        self.stdout.write(f"created {len(result.created)} partitions")
        for table, rows in sorted(result.default_rows.items()):
            self.stderr.write(f"{table}: {rows} rows in the DEFAULT partition")
