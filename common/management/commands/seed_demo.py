"""Build (or top up) the demo province: every app contributes through its `demo.seed(context)`.

Running it again changes nothing: each seeder looks rows up by their natural keys first.
"""

from __future__ import annotations

import random
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from common.demo import DemoContext
from common.discovery import app_modules


class Command(BaseCommand):
    help = "Load the demo province (organisations, users, catalog, tenders, orders, alerts, statements)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args, **options):
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
