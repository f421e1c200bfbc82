from django.core.management.base import BaseCommand

from ...services import releases_publish_all


class Command(BaseCommand):
    help = "Store a new OCDS release for every published process that changed since its last release (idempotent)."

    def handle(self, *args, **options):
        self.stdout.write(f"{releases_publish_all()} releases stored")
