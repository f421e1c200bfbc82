"""Build (or top up) the demo province: every app contributes through its `demo.seed(context)`.

Running it again changes nothing: each seeder looks rows up by their natural keys first.

The demo's logins share one published password (`admin` / Demo@2026 is a superuser), so the command refuses to run
outside development (DEBUG) and the test suite (`DEMO_DATA_ALLOWED`) unless `--allow-production-demo` says so.
"""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from common.demo import DemoContext
from common.discovery import app_modules


class Command(BaseCommand):
    help = "Load the demo province (organisations, users, catalog, tenders, orders, alerts, statements)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")
        parser.add_argument(
            "--allow-production-demo",
            action="store_true",
            help="load the demo even though DEBUG is off (a staging or training site): it creates "
            "users with a published password, the platform administrator among them",
        )

    def handle(self, *args, **options):
        if not (settings.DEBUG or settings.DEMO_DATA_ALLOWED or options["allow_production_demo"]):
            raise CommandError(
                "seed_demo creates demo users with a published password (admin / Demo@2026 is a superuser) and is "
                "meant for development: DEBUG is off here, so nothing was loaded. To load the demo on a staging or "
                "training site anyway, run `manage.py seed_demo --allow-production-demo`."
            )
        context = DemoContext(rng=random.Random(20260101), stdout=self.stdout, style=self.style)
        for app_config, module in app_modules("demo"):
            if not hasattr(module, "seed"):
                continue
            started = time.monotonic()
            with transaction.atomic():
                summary = module.seed(context)
            self.stdout.write(f"  {app_config.verbose_name}: {summary} ({time.monotonic() - started:.1f}s)")
        for app_config, module in app_modules("demo"):  # seeders that build on every app's data
            if hasattr(module, "seed_late"):
                with transaction.atomic():
                    summary = module.seed_late(context)
                self.stdout.write(f"  {app_config.verbose_name}: {summary}")
        if not options["quiet_logins"]:
            self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {context.password})"))
            for username, description in context.logins:
                self.stdout.write(f"  {username:<14} {description}")
