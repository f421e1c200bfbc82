"""All-or-nothing tabular imports on top of django-import-export, with a per-row report.

A file with any bad row imports nothing; the report names each bad row (1-based, counting the header
as row 1 as spreadsheet users do) and the field.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.conf import settings
from django.utils.translation import gettext as _
from import_export.results import RowResult
from openpyxl import load_workbook

from .errors import CommonError, ValidationFailed
from .uploads import check_upload

Report = Callable[[int, int, str], None]  # (rows done, rows in all, step): a job's progress bar
PROGRESS_EVERY = 500  # rows between two progress reports

STATUS_LABELS = {
    RowResult.IMPORT_TYPE_NEW: "new",
    RowResult.IMPORT_TYPE_UPDATE: "changed",
    RowResult.IMPORT_TYPE_SKIP: "unchanged",
    RowResult.IMPORT_TYPE_ERROR: "error",
    RowResult.IMPORT_TYPE_INVALID: "error",
    RowResult.IMPORT_TYPE_DELETE: "deleted",
}


@dataclass
class RowReport:
    row: int  # spreadsheet row number (header is row 1)
    status: str  # new / changed / unchanged / error
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowReport]
    dry_run: bool

    @property
    def error_rows(self) -> list[RowReport]:
        return [r for r in self.rows if r.status == "error"]

    @property
    def ok(self) -> bool:
        return not self.error_rows

    @property
    def written(self) -> bool:
        """True when the rows were saved: not a dry run and no bad row."""
        return self.ok and not self.dry_run

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for r in self.rows:
            result[r.status] = result.get(r.status, 0) + 1
        return result

    def lines(self) -> list[str]:
        out = []
        for r in self.rows:
            detail = f"：{'；'.join(r.errors)}" if r.errors else ""
            out.append(_("第 %(row)s 行 %(status)s%(detail)s") % {"row": r.row, "status": r.status, "detail": detail})
        return out


def inline_max_rows() -> int:
    """Files up to this many data rows are imported in the request, larger ones as a background job — the same
    threshold (setting CATALOG_IMPORT_INLINE_MAX_ROWS) for every import."""
    return int(getattr(settings, "CATALOG_IMPORT_INLINE_MAX_ROWS", 5000))


def estimate_data_rows(content: bytes, *, name: str) -> int | None:
    """Data rows of an xlsx or csv file without reading it through (the sheet's dimension; the csv's lines),
    None when the file cannot be read — the import in the request then says what is wrong with it."""
    if name.lower().endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True)
            rows = book.active.max_row
            book.close()
        except Exception:  # noqa: BLE001 - openpyxl on an unchecked upload fails in many ways; the import reports it
            return None
        return None if rows is None else max(0, rows - 1)
    lines = content.count(b"\n") + (1 if content and not content.endswith(b"\n") else 0)
    return max(0, lines - 1)


def report_result(report: ImportReport, *, cap: int = 1000) -> dict:
    """What a background import keeps of its report (JSON): counts and the first `cap` bad rows with their errors."""
    bad = report.error_rows
    return {
        "counts": report.counts(),
        "rows": len(report.rows),
        "ok": report.ok,
        "written": report.written,
        "dry_run": report.dry_run,
        "errors": [{"row": r.row, "errors": r.errors} for r in bad[:cap]],
        "errors_hidden": max(0, len(bad) - cap),
    }


def load_dataset(path_or_bytes, *, name: str = "") -> tablib.Dataset:
    """Read csv (UTF-8, with or without BOM) or xlsx into a Dataset, with clear errors for bad files."""
    if isinstance(path_or_bytes, (str, Path)):
        name = name or str(path_or_bytes)
        raw = Path(path_or_bytes).read_bytes()
    else:
        raw = path_or_bytes
    if not raw:
        raise ValidationFailed(_("文件为空"), field="file", code=CommonError.EMPTY_FILE)
    check_upload(raw, name=name)
    lower = name.lower()
    if lower.endswith(".xlsx"):
        if not raw.startswith(b"PK"):
            raise ValidationFailed(
                _("文件扩展名为 .xlsx，但内容不是 Excel 工作簿"), field="file", code=CommonError.BAD_FILE
            )
        try:
            dataset = tablib.Dataset().load(raw, format="xlsx")
        except Exception as exc:
            raise ValidationFailed(
                _("无法读取 Excel 文件：%(exc)s") % {"exc": exc}, field="file", code=CommonError.BAD_FILE
            ) from exc
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(
                _("CSV 文件必须是 UTF-8 编码"), field="file", code=CommonError.FILE_ENCODING
            ) from None
        if not text.strip():
            raise ValidationFailed(_("文件为空"), field="file", code=CommonError.EMPTY_FILE)
        dataset = tablib.Dataset().load(text, format="csv")
    if not dataset.headers:
        raise ValidationFailed(_("文件缺少表头"), field="file", code=CommonError.MISSING_COLUMNS)
    dataset.headers = [str(h).strip() if h is not None else "" for h in dataset.headers]
    return dataset


def require_headers(dataset: tablib.Dataset, required: list[str]) -> None:
    missing = [h for h in required if h not in dataset.headers]
    if missing:
        raise ValidationFailed(
            _("缺少必需的列：%(items)s") % {"items": "、".join(missing)}, field="file", code=CommonError.MISSING_COLUMNS
        )
    if len(dataset) == 0:
        raise ValidationFailed(_("文件没有数据行"), field="file", code=CommonError.EMPTY_FILE)


def run_resource_import(resource, dataset: tablib.Dataset, *, dry_run: bool) -> ImportReport:
    """Import through a django-import-export resource; any bad row rolls the whole file back."""
    result = resource.import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
    )
    rows: dict[int, RowReport] = {}
    for index, row_result in enumerate(result.rows):
        rows[index] = RowReport(row=index + 2, status=STATUS_LABELS.get(row_result.import_type, "error"))
    for index, errors in result.row_errors():
        report = rows.setdefault(index - 1, RowReport(row=index + 1, status="error"))
        report.status = "error"
        report.errors.extend(str(e.error) for e in errors)
    for invalid in result.invalid_rows:
        report = rows.setdefault(invalid.number - 1, RowReport(row=invalid.number + 1, status="error"))
        report.status = "error"
        for field_name, messages in invalid.error_dict.items():
            label = resource.column_label(field_name) if hasattr(resource, "column_label") else field_name
            report.errors.extend(f"{label}：{m}" for m in messages)
    for base_error in result.base_errors:
        rows.setdefault(-1, RowReport(row=0, status="error")).errors.append(str(base_error.error))
    return ImportReport(rows=[rows[k] for k in sorted(rows)], dry_run=dry_run)
