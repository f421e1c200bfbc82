"""python manage.py scan_prices [--full] [--detector NAME ...]"""

from django.core.management.base import BaseCommand, CommandError

from common.errors import ConflictError
from pricing.detectors import registry
from pricing.services.scan import price_scan_run


class Command(BaseCommand):
    help = "运行价格监测扫描：默认增量（上次扫描以来的新记录），--full 全量"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="扫描全部监测记录")
        parser.add_argument(
            "--detector", action="append", choices=sorted(registry()), help="只运行指定检测器（可重复）"
        )

    def handle(self, *args, full=False, detector=None, **options):
        try:
            scan = price_scan_run(full=full, only=detector)
        except ConflictError as exc:
            raise CommandError(exc.message) from None
        elapsed = (scan.finished_at - scan.started_at).total_seconds()
        self.stdout.write(
            f"扫描 #{scan.pk}（{'全量' if scan.full else '增量'}）：{scan.observations} 条记录，"
            f"新开预警 {scan.alerts_opened}，更新 {scan.alerts_updated}，用时 {elapsed:.1f} 秒"
        )
        for name, count in sorted(scan.findings.items()):
            self.stdout.write(f"  {name}: {count}")
