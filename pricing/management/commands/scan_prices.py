"""python manage.py scan_prices [--full [--parts N | --part K/N]] [--detector NAME ...]"""

import re

from django.core.management.base import BaseCommand, CommandError

from common.errors import ConflictError
from pricing.detectors import registry
from pricing.services.scan import price_scan_run, scan_parts


def _part(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(value)
    return int(match[1]), int(match[2])


class Command(BaseCommand):
    help = "运行价格监测扫描：默认增量（上次扫描以来的新记录），--full 全量（可按产品分 N 部分：--parts N，或只运行第 K 部分：--part K/N）"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="扫描全部监测记录")
        cut = parser.add_mutually_exclusive_group()
        cut.add_argument(
            "--parts", type=int, default=1, help="全量扫描按产品（同通用名剂型规格组）分 N 部分逐步运行并提交"
        )
        cut.add_argument(
            "--part", type=_part, metavar="K/N", help="只运行分 N 部分的全量扫描的第 K 部分（全部完成后扫描才结束）"
        )
        parser.add_argument(
            "--detector", action="append", choices=sorted(registry()), help="只运行指定检测器（可重复）"
        )

    def handle(self, *args, full=False, detector=None, parts=1, part=None, **options):
        if (parts != 1 or part is not None) and not full:
            raise CommandError("--parts 与 --part 只用于全量扫描（--full）")
        if parts < 1:
            raise CommandError("--parts 至少为 1")
        try:
            scan = price_scan_run(full=full, only=detector, parts=parts, part=part)
        except ConflictError as exc:
            raise CommandError(exc.message) from None
        kind = "全量" if scan.full else "增量"
        if scan_parts(scan) > 1:
            kind += f"，分 {scan_parts(scan)} 部分"
        if scan.finished_at is None:
            left = scan.findings.get("_steps", {})
            self.stdout.write(
                f"扫描 #{scan.pk}（{kind}）：第 {part[0]} 部分完成，扫描未结束（其余部分以 --part K/{part[1]} "
                f"运行，或由下一次扫描接续）；已完成的部分步骤：{left}"
            )
            return
        elapsed = (scan.finished_at - scan.started_at).total_seconds()
        self.stdout.write(
            f"扫描 #{scan.pk}（{kind}）：{scan.observations} 条记录，"
            f"新开预警 {scan.alerts_opened}，更新 {scan.alerts_updated}，用时 {elapsed:.1f} 秒"
        )
        for name, count in sorted(scan.findings.items()):
            self.stdout.write(f"  {name}: {count}")
