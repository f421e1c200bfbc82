from django.core.management.base import BaseCommand, CommandError

from procurement.models import Tender
from procurement.selectors.tenders import tenders_announced

from ... import packaging, selectors
from ...builder.context import framework_ocid
from ...schema import record_package_errors, release_package_errors
from ...services import releases_publish


class Command(BaseCommand):
    help = (
        "Write a tender's OCDS 1.1.5 release package (or its record package) to stdout, validated against the "
        "official schemas and the extensions used. The tender's releases are brought up to date first; an unchanged "
        "tender exports the same text every time."
    )

    def add_arguments(self, parser):
        parser.add_argument("tender", help="tender id or code")
        parser.add_argument("--record", action="store_true", help="the record package of the tender's process")
        parser.add_argument(
            "--call-offs", action="store_true", help="with the releases of the hospitals' call-offs under the tender"
        )
        parser.add_argument("--no-validate", action="store_true")

    def handle(self, *args, tender, record, call_offs, no_validate, **options):
        # Only an announced tender is published: a draft's lots and ceilings are the officials' alone.
        announced = tenders_announced()
        found = announced.filter(code=tender).first() or (
            announced.filter(pk=int(tender)).first() if tender.isdigit() and len(tender) < 19 else None
        )
        if found is None:
            if Tender.objects.filter(code=tender).exists():
                raise CommandError(f"批次 {tender} 尚未公布，不能发布")
            raise CommandError(f"没有批次 {tender}")
        releases_publish(tender=found)
        ocid = framework_ocid(found)
        if record:
            package = packaging.record_package(ocid, selectors.record_releases(ocid))
            errors = [] if no_validate else record_package_errors(package)
        else:
            queryset = found.ocds_releases.order_by("date", "id") if call_offs else selectors.releases(ocid=ocid)
            package = packaging.release_package(selectors.release_data(queryset), path=f"releases/?ocid={ocid}")
            errors = [] if no_validate else release_package_errors(package)
        if errors:
            raise CommandError("OCDS 校验失败：\n" + "\n".join(errors[:20]))
        self.stdout.write(packaging.to_json(package))
