"""Generate the draft purchase contracts of existing commitments (idempotent: a commitment with a contract is left)."""

from django.core.management.base import BaseCommand

from contracts.services.generation import contracts_generate


class Command(BaseCommand):
    help = "Generate a draft purchase contract for every commitment (of one tender with --tender) that has none."

    def add_arguments(self, parser):
        parser.add_argument("--tender", type=int, default=None, help="only this tender's commitments (its id)")

    def handle(self, *args, **options):
        written = contracts_generate(tender_id=options["tender"])
        self.stdout.write(f"generated {written} contracts")
