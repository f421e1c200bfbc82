"""`python manage.py import_batch_results LOTS RESULTS --code C --name N --level national|alliance --cycle-start D
--cycle-end D [--dry-run] [--user USERNAME]` — a national or alliance batch's published results, all or nothing
(docs/national-batches.md). Exits 0 only when both files were (or, with --dry-run, would be) imported whole."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.permissions import can
from common.errors import DomainError
from procurement.services.batch_results import batch_results_import


class Command(BaseCommand):
    help = "导入国家组织/省际联盟批次的中选结果（采购品种目录 + 中选结果表），全部成功才写入。"

    def add_arguments(self, parser):
        parser.add_argument("lots", help="采购品种目录（xlsx 或 UTF-8 csv）")
        parser.add_argument("results", help="中选结果表（xlsx 或 UTF-8 csv）")
        parser.add_argument("--code", required=True, help="平台上的批次编号")
        parser.add_argument("--name", required=True, help="批次名称")
        parser.add_argument("--level", default="national", choices=["national", "alliance"])
        parser.add_argument("--cycle-start", required=True, help="采购周期开始 YYYY-MM-DD")
        parser.add_argument("--cycle-end", required=True, help="采购周期结束 YYYY-MM-DD")
        parser.add_argument("--user", default="", help="以此官员名义导入（默认：第一个有 tender.manage 权限的用户）")
        parser.add_argument("--dry-run", action="store_true", help="仅校验，不写入")

    def handle(self, *args, lots, results, code, name, level, cycle_start, cycle_end, user, dry_run, **options):
        try:
            start, end = date.fromisoformat(cycle_start), date.fromisoformat(cycle_end)
        except ValueError as exc:
            raise CommandError(f"采购周期应为 YYYY-MM-DD：{exc}") from exc
        by = self._user(user)
        try:
            report = batch_results_import(
                by=by,
                code=code,
                name=name,
                level=level,
                cycle_start=start,
                cycle_end=end,
                lots_content=Path(lots).read_bytes(),
                lots_filename=lots,
                results_content=Path(results).read_bytes(),
                results_filename=results,
                dry_run=dry_run,
            )
        except (DomainError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("文件中有错误行，未写入任何数据")
        counts = report.counts
        done = "校验通过（未写入）" if dry_run else f"已创建批次 {report.tender.code}"
        self.stdout.write(
            self.style.SUCCESS(
                f"{done}：品种 {counts['lots']} 个，结果 {counts['rows']} 行，本省 {counts['province_rows']} 行"
            )
        )

    def _user(self, username: str) -> User:
        users = User.objects.filter(is_active=True).order_by("pk")
        if username:
            found = users.filter(username=username).first()
            if found is None:
                raise CommandError(f"没有用户 {username}")
            return found
        for candidate in users.filter(organization__kind="agency"):
            if can(candidate, "tender.manage"):
                return candidate
        raise CommandError("请用 --user 指定有批次管理权限的官员")
