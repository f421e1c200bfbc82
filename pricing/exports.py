"""The export of the filtered case list, as a pricing official takes it to a meeting: CSV or XLSX, Chinese headers
(a file format: they stay Chinese whatever the page's language), labels instead of codes (signal kinds, severity,
status, disposition, hospital, league, assignee by name), amounts in yuan with two places and thousands separators,
unit prices with four, the deviation in per cent, the period as months. The XLSX carries the filters it was made with
on a second sheet. The same rows for the inbox (`?format=csv|xlsx`) and the API (`GET price-alerts/export/`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import override
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from accounts.models import Organization, Region, User
from catalog.models import Product
from common.tables import EXPORT_MAX_ROWS, temp_xlsx

from .detectors import labels as signal_labels
from .models import PriceAlert

FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportColumn:
    header: str
    value: Callable[[PriceAlert], object]
    kind: str = "text"  # text · int · score · amount (yuan, 2 places) · price (4 places) · percent
    width: int = 12


def _name(user) -> str:
    if user is None:
        return ""
    return str(user)  # the name (display_name), the username only for a user without one


def _period(alert: PriceAlert) -> str:
    start, end = f"{alert.period_start:%Y-%m}", f"{alert.period_end:%Y-%m}"
    return start if start == end else f"{start} 至 {end}"


def _kinds(alert: PriceAlert) -> str:
    labels = signal_labels()
    return "、".join(labels.get(kind, kind) for kind in alert.kinds)


def _columns() -> list[ExportColumn]:
    return [
        ExportColumn("案件编号", lambda a: a.pk, "int", 9),
        ExportColumn("严重程度", lambda a: a.get_severity_display(), width=9),
        ExportColumn("风险评分", lambda a: a.score, "score", 9),
        ExportColumn("状态", lambda a: a.get_status_display(), width=10),
        ExportColumn("预警信号", _kinds, width=28),
        ExportColumn("产品代码", lambda a: a.product.nhsa_code, width=26),
        ExportColumn("通用名", lambda a: a.product.generic_name, width=18),
        ExportColumn("剂型", lambda a: a.product.dosage_form, width=10),
        ExportColumn("规格", lambda a: a.product.specification, width=12),
        ExportColumn("生产企业", lambda a: a.manufacturer.name if a.manufacturer else "", width=22),
        ExportColumn("医疗机构", lambda a: a.hospital.name if a.hospital else "全区", width=24),
        ExportColumn("统筹区", lambda a: a.region.name if a.region else "", width=12),
        ExportColumn("异常期间", _period, width=18),
        ExportColumn("异常月数", lambda a: a.months, "int", 8),
        ExportColumn("监测价格（元/最小单位）", lambda a: a.observed_price, "price", 14),
        ExportColumn("参照价格（元/最小单位）", lambda a: a.reference_value, "price", 14),
        ExportColumn("偏离程度", lambda a: a.deviation, "percent", 10),
        ExportColumn("涉及金额（元）", lambda a: a.amount_at_stake, "amount", 16),
        ExportColumn("经办人", lambda a: _name(a.assignee), width=12),
        ExportColumn("处置结果", lambda a: a.get_disposition_display() if a.disposition else "", width=12),
        ExportColumn("处置说明", lambda a: a.resolution_note, width=30),
        ExportColumn("摘要", lambda a: a.summary_text, width=40),
        ExportColumn("首次发现", lambda a: f"{timezone.localtime(a.first_detected_at):%Y-%m-%d}", width=11),
    ]


NUMBER_FORMATS = {"amount": "#,##0.00", "price": "#,##0.0000", "percent": "0.0%", "score": "0.00", "int": "0"}


def _text(kind: str, value) -> str:
    """A cell of the CSV: numbers formatted as the XLSX shows them."""
    if value is None or value == "":
        return ""
    if kind == "amount":
        return f"{Decimal(value):,.2f}"
    if kind == "price":
        return f"{Decimal(value):,.4f}"
    if kind == "percent":
        return f"{Decimal(value) * 100:.1f}%"
    return force_str(value)


def _rows(alerts) -> Iterable[PriceAlert]:
    return alerts[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)


def _filename(extension: str) -> str:
    return f"价格预警案件-{timezone.localdate():%Y%m%d}.{extension}"


def alerts_csv(alerts) -> HttpResponse:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese headers as text."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    with override("zh-hans"):  # labels in the file's language, Chinese
        columns = _columns()
        writer.writerow([c.header for c in columns])
        for alert in _rows(alerts):
            writer.writerow([_text(c.kind, c.value(alert)) for c in columns])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(_filename("csv"))
    return response


def _disposition(name: str) -> str:
    return f"attachment; filename=\"alerts.{name.rsplit('.', 1)[1]}\"; filename*=UTF-8''{quote(name)}"


def _cell(sheet, kind: str, value):
    cell = WriteOnlyCell(sheet, value="" if value is None else value)
    if kind in NUMBER_FORMATS and value not in (None, ""):
        cell.number_format = NUMBER_FORMATS[kind]
    return cell


def alerts_xlsx(alerts, filters: list[tuple[str, str]]) -> FileResponse:
    """The cases on a first sheet (bold headers, column widths, the header row frozen), the filters on a second."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("价格预警案件")
    with override("zh-hans"):
        columns = _columns()
        for n, column in enumerate(columns):
            sheet.column_dimensions[get_column_letter(n + 1)].width = column.width
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            header.append(cell)
        sheet.append(header)
        for alert in _rows(alerts):
            sheet.append([_cell(sheet, c.kind, c.value(alert)) for c in columns])
        conditions = workbook.create_sheet("筛选条件")
        conditions.column_dimensions["A"].width = 16
        conditions.column_dimensions["B"].width = 40
        conditions.append(["导出时间", f"{timezone.localtime():%Y-%m-%d %H:%M}"])
        for label, value in filters or [("筛选条件", "无（全部案件）")]:
            conditions.append([label, value])
    return FileResponse(temp_xlsx(workbook), as_attachment=True, filename=_filename("xlsx"), content_type=XLSX_TYPE)


# the export's second sheet: Chinese, as the file's headers (a file format, whatever the page's language)
FILTER_LABELS = {
    "kind": "预警信号",
    "detector": "预警信号",
    "severity": "最低严重程度",
    "region": "统筹区",
    "status": "状态",
    "assignee": "经办人",
    "hospital": "医疗机构",
    "product": "产品",
    "overdue": "函询逾期",
    "q": "关键词",
    "sort": "排序",
    "min_amount": "最低涉及金额（元）",
    "period_from": "期间起",
    "period_to": "期间止",
}


def _label_of(name: str, value: str, user) -> str:
    """A filter's value as the official chose it on the page: a label or a name, not a code or an id."""
    statuses = {"active": "未办结（全部）", "closed": "已办结（全部）", **dict(PriceAlert.Status.choices)}
    lookups = {
        "kind": lambda v: signal_labels().get(v, v),
        "detector": lambda v: signal_labels().get(v, v),
        "severity": lambda v: force_str(dict(PriceAlert.Severity.choices).get(int(v), v)) + " 及以上",
        "status": lambda v: force_str(statuses.get(v, v)),
        "region": lambda v: Region.objects.filter(pk=v).values_list("name", flat=True).first() or v,
        "hospital": lambda v: Organization.objects.filter(pk=v).values_list("name", flat=True).first() or v,
        "product": lambda v: Product.objects.filter(pk=v).values_list("generic_name", flat=True).first() or v,
        "assignee": lambda v: {"me": _name(user), "none": "未分派"}.get(v) or _name(User.objects.filter(pk=v).first()),
        "overdue": lambda v: "是",
    }
    return force_str(lookups.get(name, lambda v: v)(value))


def describe_filters(params, user) -> list[tuple[str, str]]:
    """(label, value) of each filter applied, for the export's second sheet; the values were checked by the
    selector before the export is written."""
    out = []
    with override("zh-hans"):
        for name, label in FILTER_LABELS.items():
            value = (params.get(name) or "").strip()
            if value and name != "sort":
                out.append((label, _label_of(name, value, user)))
    return out
