"""The monitoring report as a file: CSV (UTF-8 with a BOM, which Excel opens as such) or xlsx with two sheets — one
row per negotiated drug, and the volumes by drug and month. The same columns for both formats."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from common.tables import _excel, temp_xlsx

from .selectors import Monitoring

DRUG_HEADERS = (
    _("医保代码"),
    _("通用名"),
    _("规格"),
    _("生产企业"),
    _("谈判协议起始"),
    _("谈判协议截止"),
    _("即将到期"),
    _("挂网数"),
    _("最低挂网价"),
    _("最高挂网价"),
    _("采购医疗机构数"),
    _("采购药店数"),
    _("入库数量（最小制剂单位）"),
    _("其中药店"),
    _("入库金额"),
    _("双通道药店数"),
    _("医保发药/结算记录数"),
    _("无入库的盟市"),
)
MONTH_HEADERS = (_("通用名"), _("规格"), _("月份"), _("医疗机构入库数量"), _("药店入库数量"), _("入库金额"))


def drug_values(row: dict) -> list:
    return [
        row["nhsa_code"],
        row["generic_name"],
        row["specification"],
        row["maker"],
        row["negotiated_from"],
        row["negotiated_to"],
        force_str(_("是")) if row["expiring"] else "",
        row["listings"],
        row["min_price"],
        row["max_price"],
        row["hospitals"],
        row["pharmacies"],
        row["units"],
        row["pharmacy_units"],
        row["amount"],
        row["designations"],
        row["dispensed"],
        "、".join(row["regions_without"]),
    ]


def month_values(row: dict) -> list:
    return [
        row["generic_name"],
        row["specification"],
        row["month"].strftime("%Y-%m"),
        row["hospital_units"],
        row["pharmacy_units"],
        row["amount"],
    ]


def _name(ext: str) -> str:
    return f"{force_str(_('谈判药监测'))}-{timezone.localdate():%Y%m%d}.{ext}"


def as_csv(report: Monitoring) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([force_str(h) for h in DRUG_HEADERS])
    writer.writerows(["" if v is None else v for v in drug_values(r)] for r in report.drugs)
    writer.writerow([])
    writer.writerow([force_str(h) for h in MONTH_HEADERS])
    writer.writerows(month_values(r) for r in report.months)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(_name('csv'))}"
    return response


def _quote(name: str) -> str:
    return quote(name)


def as_xlsx(report: Monitoring) -> FileResponse:
    workbook = Workbook(write_only=True)
    drugs = workbook.create_sheet(force_str(_("谈判药")))
    drugs.append([force_str(h) for h in DRUG_HEADERS])
    for row in report.drugs:
        drugs.append([_excel(v) for v in drug_values(row)])
    months = workbook.create_sheet(force_str(_("按月入库")))
    months.append([force_str(h) for h in MONTH_HEADERS])
    for row in report.months:
        months.append([_excel(v) for v in month_values(row)])
    return FileResponse(
        temp_xlsx(workbook),
        as_attachment=True,
        filename=_name("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
