"""Demand reports (报量) in the admin's Excel/CSV import and export (django-import-export).

Export writes the same columns the import reads. Import does not go row by row through the resource: the whole
file goes to `procurement.services.tender_demand_import.demand_import` (the tender named by 批次编号, only during its
demand collection, all or nothing), and its per-row report is handed back to the admin as an import result.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.results import Error, Result, RowResult

from common.errors import DomainError

from .errors import TenderError
from .models import DemandReport, Tender
from .services import tender_demand_import as demand_import_svc

IMPORT_TYPES = {
    "new": RowResult.IMPORT_TYPE_NEW,
    "changed": RowResult.IMPORT_TYPE_UPDATE,
    "unchanged": RowResult.IMPORT_TYPE_SKIP,
}


class DemandReportResource(resources.ModelResource):
    tender = fields.Field(attribute="tender__code", column_name=demand_import_svc.COL_TENDER, readonly=True)
    lot = fields.Field(attribute="lot__number", column_name=demand_import_svc.COL_LOT, readonly=True)
    uscc = fields.Field(attribute="hospital__uscc", column_name=demand_import_svc.COL_USCC, readonly=True)
    hospital = fields.Field(attribute="hospital__name", column_name=demand_import_svc.COL_HOSPITAL_NAME, readonly=True)
    annual_volume = fields.Field(attribute="annual_volume", column_name=demand_import_svc.COL_VOLUME, readonly=True)
    product = fields.Field(
        attribute="named_product__nhsa_code", column_name=demand_import_svc.COL_PRODUCT, readonly=True
    )

    class Meta:
        model = DemandReport
        fields = ["tender", "lot", "uscc", "hospital", "annual_volume", "product"]
        export_order = fields

    def get_export_queryset(self, request=None, **kwargs):
        return DemandReport.objects.select_related("tender", "lot", "hospital", "named_product").order_by(
            "tender__code", "lot__number", "hospital__name"
        )

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        result = Result()
        headers = list(dataset.headers or [])
        result.diff_headers = headers
        result.add_dataset_headers(headers)
        user = kwargs.get("user") or kwargs.get("request") and kwargs["request"].user
        try:
            codes = {str(row.get(demand_import_svc.COL_TENDER) or "").strip() for row in dataset.dict}
            if demand_import_svc.COL_TENDER not in headers or len(codes) != 1 or "" in codes:
                raise DomainError(
                    _("管理后台导入须有“%(COL_TENDER)s”列，且全部行为同一批次")
                    % {"COL_TENDER": demand_import_svc.COL_TENDER},
                    code=TenderError.IMPORT_ONE_TENDER,
                )
            tender = Tender.objects.filter(code=codes.pop()).first()
            if tender is None:
                raise DomainError(
                    _("%(COL_TENDER)s：没有该批次") % {"COL_TENDER": demand_import_svc.COL_TENDER},
                    code=TenderError.UNKNOWN_TENDER,
                )
            report = demand_import_svc.demand_import(
                tender=tender,
                by=user,
                content=dataset.export("csv").encode("utf-8"),
                filename="admin.csv",
                dry_run=dry_run,
            )
        except DomainError as exc:
            result.append_base_error(Error(ValidationError(exc.message)))
            return result
        rows = dataset.dict
        for line in report.rows:
            values = rows[line.row - 2] if 0 <= line.row - 2 < len(rows) else {}
            if line.status == "error":
                result.append_invalid_row(line.row - 1, values, ValidationError(line.errors))
                continue
            row_result = RowResult()
            row_result.import_type = IMPORT_TYPES[line.status]
            row_result.row_values = values
            row_result.diff = [values.get(h, "") for h in headers]
            row_result.object_repr = (
                f"{values.get(demand_import_svc.COL_LOT, '')} · {values.get(demand_import_svc.COL_USCC, '')}"
            )
            result.append_row_result(row_result)
        result.totals.update({t: sum(1 for r in result.rows if r.import_type == t) for t in IMPORT_TYPES.values()})
        result.totals[RowResult.IMPORT_TYPE_INVALID] = len(result.invalid_rows)
        return result
