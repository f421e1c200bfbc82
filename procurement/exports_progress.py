"""The xlsx export of commitment progress (cycle rows), written with openpyxl's write-only workbook."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

HEADERS = (
    _("批次"),
    _("品种编号"),
    _("品种"),
    _("统筹区"),
    _("医疗机构"),
    _("中选产品"),
    _("供应企业"),
    _("周期开始"),
    _("截至"),
    _("约定采购量"),
    _("进度应完成量"),
    _("累计入库量"),
    _("累计入库金额"),
    _("剩余量"),
    _("完成率"),
    _("替代品入库量"),
    _("替代率"),
    _("按近期速度预计周期末完成量"),
    _("进度状态"),
)


def row_values(row) -> list:
    return [
        row.tender.code,
        row.lot.number,
        row.lot.generic_name,
        row.region.name if row.region else "",
        row.hospital.name,
        str(row.commitment.product),
        row.manufacturer.name,
        row.period_start,
        row.period_end,
        row.agreed_volume,
        row.expected_units,
        row.cumulative_units,
        row.cumulative_amount,
        row.remaining_units,
        row.completion_rate,
        row.cumulative_substitute_units,
        row.substitution_ratio,
        row.projected_units,
        str(row.get_status_display()),
    ]
