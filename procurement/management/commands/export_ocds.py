from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from procurement.models import Tender
from procurement.ocds import release_package, to_json, validate_package
from procurement.selectors.tenders import tenders_announced


class Command(BaseCommand):
    help = "Write a tender's OCDS 1.1.5 release package to stdout (validated against the official schemas)."

    def add_arguments(self, parser):
        parser.add_argument("tender", help="tender id or code")
        parser.add_argument("--no-validate", action="store_true")

    def handle(self, *args, tender, no_validate, **options):
        # Only an announced tender is published: a draft's lots and ceilings are the officials' alone.
        announced = tenders_announced()
        found = announced.filter(code=tender).first() or (
            announced.filter(pk=int(tender)).first() if tender.isdigit() and len(tender) < 19 else None
        )
        if found is None:
            if Tender.objects.filter(code=tender).exists():
                raise CommandError(f"批次 {tender} 尚未公布，不能发布")
            raise CommandError(f"没有批次 {tender}")
        publisher = Organization.objects.filter(kind="agency").order_by("pk").first()
        if publisher is None:
            raise CommandError("没有发布机构（医保部门/采购中心）")
        package = release_package(found, publisher=publisher)
        if not no_validate:
            errors = validate_package(package)
            if errors:
                raise CommandError("OCDS 校验失败：\n" + "\n".join(errors[:20]))
        self.stdout.write(to_json(package))
