"""Import a catalog file from the command line, with the same checks and all-or-nothing rule as the pages."""

from django.core.management.base import BaseCommand, CommandError

from ...imports.pipeline import import_file
from ...imports.report import ERROR, ImportReport
from ...layouts import LAYOUTS


class Command(BaseCommand):
    help = (
        "Import drugs or consumables from an xlsx or UTF-8 csv file (layouts: nhsa = 医保药品分类与代码 总表, "
        "platform = 蒙药/中药饮片/医院制剂 template, consumables = 医用耗材 template). Prints a line per row; "
        "a file with any bad row imports nothing and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--layout", required=True, choices=sorted(LAYOUTS))
        parser.add_argument("--dry-run", action="store_true", help="check every row and report, write nothing")

    def handle(self, *args, file, layout, dry_run, **options):
        def print_line(line):
            text = line.text()
            self.stdout.write(self.style.ERROR(text) if line.status == ERROR else text)

        try:
            result = import_file(
                file,
                name=file,
                layout=layout,
                dry_run=dry_run,
                report=ImportReport(on_line=print_line),
                reason=f"命令行导入：{file}",
            )
        except OSError as exc:
            raise CommandError(f"无法读取文件：{exc}")
        if not result.ok:
            self.stderr.write(self.style.ERROR(result.summary()))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(result.summary()))
