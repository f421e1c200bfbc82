"""python manage.py import_prices FILE --kind observations|references --user USERNAME [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from common.errors import DomainError
from pricing.services.imports import observations_import, reference_prices_import


class Command(BaseCommand):
    help = "导入价格监测记录（线下采购、外省价格、零售调查）或参考价格；任何一行有误则整个文件不导入"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", choices=["observations", "references"], default="observations")
        parser.add_argument("--user", required=True, help="以该用户（价格招采处工作人员或平台管理员）的身份导入")
        parser.add_argument("--dry-run", action="store_true", help="仅校验，不写入")

    def handle(self, *args, file, kind, user, dry_run=False, **options):
        by = User.objects.filter(username=user).first()
        if by is None:
            raise CommandError(f"用户“{user}”不存在")
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{file}")
        try:
            if kind == "references":
                report = reference_prices_import(content=path.read_bytes(), filename=path.name, by=by, dry_run=dry_run)
                batch = ""
            else:
                report, batch = observations_import(
                    content=path.read_bytes(), filename=path.name, by=by, dry_run=dry_run
                )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for line in report.lines():
            self.stdout.write(line)
        counts = "，".join(f"{k} {v}" for k, v in report.counts().items())
        if not report.ok:
            raise CommandError(f"文件有错误，未导入任何数据（{counts}）")
        self.stdout.write(
            f"{'校验通过（未写入）' if dry_run else '已导入'}：{counts}{'，批次 ' + batch if batch else ''}"
        )
