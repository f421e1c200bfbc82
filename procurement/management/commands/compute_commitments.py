"""`python manage.py compute_commitments [--as-of YYYY-MM-DD] [--hospital ID | --since YYYY-MM-DD]` — the progress job on
demand: everything, one hospital, or the commitments the receipts and returns since a day changed."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from procurement.errors import DomainError
from procurement.services.progress import progress_compute_all, progress_refresh_changed, progress_refresh_hospital

BAR = 30


class Command(BaseCommand):
    help = "计算约定采购量完成进度（全部，或一家医疗机构），显示进度条。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="计算日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--hospital", type=int, help="只重算这家医疗机构（编号）")
        parser.add_argument("--since", help="只重算该日起入库、退货涉及的约定 YYYY-MM-DD")

    def handle(self, *args, as_of=None, hospital=None, since=None, **options):
        day, since_day = self.day(as_of, "--as-of"), self.day(since, "--since")
        try:
            if since_day:
                run = progress_refresh_changed(since=since_day, as_of=day)
            elif hospital:
                self.bar(0, 1, "重算医疗机构")
                run = progress_refresh_hospital(hospital_id=hospital, as_of=day)
                self.bar(1, 1, "完成")
            else:
                run = progress_compute_all(as_of=day, progress=self.bar)
        except DomainError as exc:
            raise CommandError(str(exc))
        self.stdout.write("")
        if run.status != run.Status.SUCCEEDED:
            raise CommandError(f"{run.get_status_display()}：{run.error}")
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"完成进度 {run.rows} 行（截至 {run.as_of}），新提醒 {run.alerts} 条，用时 {seconds:.1f} 秒"
            )
        )

    @staticmethod
    def day(value: str | None, option: str) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            raise CommandError(f"{option} 应为 YYYY-MM-DD，收到 {value!r}")

    def bar(self, done: int, total: int, label: str) -> None:
        filled = BAR * done // max(total, 1)
        self.stdout.write(f"\r[{'#' * filled}{'-' * (BAR - filled)}] {done}/{total} {label}".ljust(70), ending="")
        self.stdout.flush()
