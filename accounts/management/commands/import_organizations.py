from django.core.management.base import BaseCommand

from common.errors import ValidationFailed
from common.importing import load_dataset, require_headers, run_resource_import

from ...resources import OrganizationResource


class Command(BaseCommand):
    help = "Import organisations from an xlsx/csv file with Chinese headers; any bad row imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, file, dry_run, **options):
        try:
            dataset = load_dataset(file)
            require_headers(dataset, OrganizationResource.REQUIRED_HEADERS)
        except ValidationFailed as exc:
            self.stderr.write(exc.message)
            raise SystemExit(1)
        report = run_resource_import(OrganizationResource(), dataset, dry_run=dry_run)
        for line in report.lines():
            self.stdout.write(line)
        counts = "，".join(f"{k} {v}" for k, v in sorted(report.counts().items()))
        if not report.ok:
            self.stdout.write(self.style.ERROR(f"有 {len(report.error_rows)} 行错误，未导入任何数据（{counts}）"))
            raise SystemExit(1)
        verb = "可以导入" if dry_run else "已导入"
        self.stdout.write(self.style.SUCCESS(f"{verb}：{counts}"))
