"""What an import of one file came to: the counts, the errors, whether it was written, and its one-line summary."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .report import CHANGED, ERROR, NEW, UNCHANGED


@dataclass
class ImportResult:
    layout: str
    dry_run: bool
    counts: dict[str, int]
    error_count: int
    rows: int
    file_error: str = ""
    written: bool = False
    manufacturers_created: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error_count and not self.file_error

    def summary(self) -> str:
        counts = "，".join(
            f"{label} {self.counts.get(key, 0)}"
            for key, label in ((NEW, _("新增")), (CHANGED, _("变更")), (UNCHANGED, _("未变")), (ERROR, _("错误")))
        )
        if self.file_error:
            return _("文件无法导入：%(file_error)s") % {"file_error": self.file_error}
        if not self.ok:
            return _("有 %(error_count)s 行错误，未导入任何数据（共 %(rows)s 行：%(counts)s）") % {
                "error_count": self.error_count,
                "rows": self.rows,
                "counts": counts,
            }
        if self.dry_run:
            return _("校验通过，可以导入（仅校验，未写入；共 %(rows)s 行：%(counts)s）") % {
                "rows": self.rows,
                "counts": counts,
            }
        created = (
            _("，新建生产企业 %(manufacturers_created)s 家") % {"manufacturers_created": self.manufacturers_created}
            if self.manufacturers_created
            else ""
        )
        return _("已导入（共 %(rows)s 行：%(counts)s%(created)s）") % {
            "rows": self.rows,
            "counts": counts,
            "created": created,
        }
