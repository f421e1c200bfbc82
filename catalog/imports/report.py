"""The per-row report of an import: written to a csv file as rows are checked, so memory stays flat.

Every row gets a line (新增 / 变更 / 未变 / 错误) with its reason; error lines are detailed for the first
``ERROR_CAP`` bad rows and counted beyond that, so a file that is wrong throughout still gives a readable report.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
STATUSES = (NEW, CHANGED, UNCHANGED, ERROR)
STATUS_LABELS = {NEW: "新增", CHANGED: "变更", UNCHANGED: "未变", ERROR: "错误"}
LABEL_STATUS = {label: status for status, label in STATUS_LABELS.items()}
REPORT_HEADERS = ["行号", "医保代码", "结果", "说明"]  # of the stored report file, read back by read_report
ERROR_CAP = 1000


@dataclass
class ReportLine:
    row: int | None  # None for a note about the whole file
    code: str
    status: str
    detail: str

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def text(self) -> str:
        where = _("第 %(row)s 行") % {"row": self.row} if self.row else _("文件")
        code = f" {self.code}" if self.code else ""
        detail = f"：{self.detail}" if self.detail else ""
        return f"{where}{code} {self.label}{detail}"


@dataclass
class ImportReport:
    """Counts and the report file being written. ``stream`` is a text file (newline='') or None."""

    stream: object = None
    on_line: Callable[[ReportLine], None] | None = None
    error_cap: int = ERROR_CAP
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    file_error: str = ""
    listed_errors: int = 0

    def __post_init__(self):
        self._writer = csv.writer(self.stream) if self.stream is not None else None
        if self._writer is not None:
            self._writer.writerow(REPORT_HEADERS)

    @property
    def error_count(self) -> int:
        return self.counts[ERROR]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def add(self, row: int, code: str, status: str, detail: str = "") -> None:
        self.counts[status] += 1
        if status == ERROR:
            if self.listed_errors >= self.error_cap:
                return
            self.listed_errors += 1
        if self._writer is not None or self.on_line is not None:  # a line object per row only for someone to read
            self._emit(ReportLine(row, code, status, detail))

    def fail_file(self, message: str) -> None:
        """A problem with the file as a whole: nothing is imported."""
        self.file_error = message
        self._emit(ReportLine(None, "", ERROR, message))

    def finish(self) -> None:
        hidden = self.error_count - self.listed_errors
        if hidden > 0:
            self._emit(
                ReportLine(
                    None,
                    "",
                    ERROR,
                    _("另有 %(hidden)s 行错误未逐行列出（只列出前 %(error_cap)s 行）")
                    % {"hidden": hidden, "error_cap": self.error_cap},
                )
            )

    def _emit(self, line: ReportLine) -> None:
        if self._writer is not None:
            self._writer.writerow([line.row or "", line.code, line.label, line.detail])
        if self.on_line is not None:
            self.on_line(line)


def read_report(stream, *, status: str = "") -> Iterator[ReportLine]:
    """Lines of a saved report (a text stream), optionally only those of one status."""
    reader = csv.reader(stream)
    next(reader, None)
    for values in reader:
        if len(values) < 4:
            continue
        row, code, label, detail = values[:4]
        line = ReportLine(int(row) if row.isdigit() else None, code, LABEL_STATUS.get(label, label), detail)
        if not status or line.status == status:
            yield line
