"""Detach a closed year's monthly partitions of the flow tables and move them to the archive schema:
`manage.py partitions_archive --year 2024` (then, for instance, `pg_dump -n archive` and `DROP SCHEMA archive
CASCADE` once the dump is kept)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from common.errors import ValidationFailed
from common.partitions.services import ARCHIVE_SCHEMA, partitions_archive


class Command(BaseCommand):
    help = "Detach a closed year's monthly partitions and move them to the archive schema."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--schema", default=ARCHIVE_SCHEMA, help=f"target schema (default: {ARCHIVE_SCHEMA})")

    def handle(self, *args, year, schema, **options):
        try:
            detached = partitions_archive(year=year, schema=schema)
        except ValidationFailed as error:
            raise CommandError(str(error.message)) from error
        for name in detached:
            self.stdout.write(name)
        self.stdout.write(f"detached {len(detached)} partitions of {year} to schema {schema}")
