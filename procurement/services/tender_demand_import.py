"""Demand reports (报量) from a file: xlsx or UTF-8 csv, all or nothing, with a report line per row.

Columns: 品种编号 and 年度需求量 (required); 医疗机构统一社会信用代码 (required when an official imports for several
hospitals; a hospital's own file may leave it out, and any other hospital's code in it is an error); 医疗机构名称 and
批次编号 (checked when given); 指定产品医保代码 (optional: a product of the lot). Only during demand collection. A file
with any bad row, or a (品种, 医疗机构) pair twice, writes nothing; every row is still checked and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Organization
from accounts.permissions import can, require
from catalog.models import Product
from common.errors import DomainError
from common.importing import PROGRESS_EVERY, ImportReport, Report, RowReport, load_dataset, require_headers
from common.models import record_event

from ..models import DemandReport, Tender
from .tenders.demand import check_named_product, ensure_demand_window, parse_volume
from .tenders.state import lock_tender

COL_LOT = "品种编号"
COL_VOLUME = "年度需求量"
COL_USCC = "医疗机构统一社会信用代码"
COL_HOSPITAL_NAME = "医疗机构名称"
COL_TENDER = "批次编号"
COL_PRODUCT = "指定产品医保代码"
HEADERS = [COL_TENDER, COL_LOT, COL_USCC, COL_HOSPITAL_NAME, COL_VOLUME, COL_PRODUCT]
REQUIRED = [COL_LOT, COL_VOLUME]


def _text(value) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


@dataclass
class _DemandFile:
    """What every row is checked against: the tender's lots, the hospitals and products the file names, the reports
    already made; and what the rows add up to (pairs seen, reports to create or change)."""

    tender: Tender
    by: object
    own_hospital: bool
    lots: dict
    hospitals: dict
    products: dict
    existing: dict
    now: object
    seen: dict[tuple[int, int], int] = field(default_factory=dict)
    to_create: list[DemandReport] = field(default_factory=list)
    to_update: list[DemandReport] = field(default_factory=list)


@transaction.atomic
def demand_import(
    *, tender: Tender, by, content: bytes, filename: str, dry_run: bool = False, progress: Report | None = None
) -> ImportReport:
    """Check every row, then write them all (new reports and changes, with history) — or nothing."""
    own_hospital = can(by, "tender.report_demand") and not can(by, "tender.manage")
    if not own_hospital:
        require(by, "tender.manage")
    dataset = load_dataset(content, name=filename)
    require_headers(dataset, REQUIRED + ([] if own_hospital else [COL_USCC]))
    tender = lock_tender(tender)
    ensure_demand_window(tender)

    headers = dataset.headers
    rows = [dict(zip(headers, values, strict=False)) for values in dataset]
    file = _read_references(tender, by, own_hospital, rows)
    report_rows: list[RowReport] = []
    for index, row in enumerate(rows, start=2):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index - 1, len(rows), _("逐行校验"))
        report_rows.append(_take_row(file, index, row))
    report = ImportReport(rows=report_rows, dry_run=dry_run)
    if progress is not None:
        progress(len(rows), len(rows), _("写入") if report.ok and not dry_run else _("逐行校验"))
    if report.ok and not dry_run:
        _write(file, filename, len(report_rows))
    return report


def _read_references(tender: Tender, by, own_hospital: bool, rows: list[dict]) -> _DemandFile:
    """One query each for the lots, hospitals, products and existing reports the rows may refer to."""
    usccs = {_text(r.get(COL_USCC)).upper() for r in rows} - {""}
    codes = {_text(r.get(COL_PRODUCT)) for r in rows} - {""}
    return _DemandFile(
        tender=tender,
        by=by,
        own_hospital=own_hospital,
        lots={lot.number: lot for lot in tender.lots.all()},
        hospitals={h.uscc: h for h in Organization.objects.filter(uscc__in=usccs)},
        products={p.nhsa_code: p for p in Product.objects.filter(nhsa_code__in=codes)},
        existing={(d.lot_id, d.hospital_id): d for d in DemandReport.objects.filter(tender=tender)},
        now=timezone.now(),
    )


def _take_row(file: _DemandFile, index: int, row: dict) -> RowReport:
    """Check one row; a good one is queued as a new or changed report (or found unchanged)."""
    errors: list[str] = []
    code = _text(row.get(COL_TENDER))
    if code and code != file.tender.code:
        errors.append(
            _("%(COL_TENDER)s：“%(code)s”不是本批次（%(code2)s）")
            % {"COL_TENDER": COL_TENDER, "code": code, "code2": file.tender.code}
        )
    lot = file.lots.get(_text(row.get(COL_LOT)))
    if lot is None:
        errors.append(
            _("%(COL_LOT)s：本批次没有品种“%(value)s”") % {"COL_LOT": COL_LOT, "value": _text(row.get(COL_LOT))}
        )
    hospital = _row_hospital(file, row, errors)
    volume = None
    try:
        volume = parse_volume(row.get(COL_VOLUME), form=True)
    except DomainError as exc:
        errors.append(f"{COL_VOLUME}：{exc.message}")
    product = _row_product(file, row, lot, errors)
    if lot is not None and hospital is not None:
        key = (lot.pk, hospital.pk)
        if key in file.seen:
            errors.append(_("与第 %(seen)s 行重复（同一品种、同一医疗机构）") % {"seen": file.seen[key]})
        else:
            file.seen[key] = index
    if errors:
        return RowReport(row=index, status="error", errors=errors)
    return RowReport(row=index, status=_queue(file, lot, hospital, volume, product))


def _row_hospital(file: _DemandFile, row: dict, errors: list[str]):
    """The row's hospital: the user's own (any other code is an error), or the one its code names; None if bad."""
    uscc = _text(row.get(COL_USCC)).upper()
    if file.own_hospital:
        hospital = file.by.organization
        if uscc and uscc != (hospital.uscc or ""):
            errors.append(
                _("%(COL_USCC)s：“%(uscc)s”不是本机构，只能导入本机构的报量") % {"COL_USCC": COL_USCC, "uscc": uscc}
            )
    elif not uscc:
        errors.append(_("%(COL_USCC)s：不能为空") % {"COL_USCC": COL_USCC})
        return None
    else:
        hospital = file.hospitals.get(uscc)
        if hospital is None or hospital.kind != Organization.Kind.HOSPITAL or not hospital.is_active:
            errors.append(_("%(COL_USCC)s：“%(uscc)s”不是平台上有效的医疗机构") % {"COL_USCC": COL_USCC, "uscc": uscc})
            return None
    name = _text(row.get(COL_HOSPITAL_NAME))
    if name and name != hospital.name:
        errors.append(
            _("%(COL_HOSPITAL_NAME)s：“%(name)s”与统一社会信用代码对应的机构“%(name2)s”不一致")
            % {"COL_HOSPITAL_NAME": COL_HOSPITAL_NAME, "name": name, "name2": hospital.name}
        )
    return hospital


def _row_product(file: _DemandFile, row: dict, lot, errors: list[str]):
    """The named product, if the row names one: in the catalog and of the lot."""
    product_code = _text(row.get(COL_PRODUCT))
    if not product_code:
        return None
    product = file.products.get(product_code)
    if product is None:
        errors.append(
            _("%(COL_PRODUCT)s：目录中没有医保代码“%(product_code)s”")
            % {"COL_PRODUCT": COL_PRODUCT, "product_code": product_code}
        )
    elif lot is not None:
        try:
            check_named_product(lot, product)
        except DomainError as exc:
            errors.append(f"{COL_PRODUCT}：{exc.message}")
    return product


def _queue(file: _DemandFile, lot, hospital, volume: int, product) -> str:
    """Queue a checked row as a new or changed report; its status in the report."""
    current = file.existing.get((lot.pk, hospital.pk))
    if current is None:
        file.to_create.append(
            DemandReport(
                tender=file.tender,
                lot=lot,
                hospital=hospital,
                annual_volume=volume,
                named_product=product,
                reported_by=file.by,
                reported_at=file.now,
            )
        )
        return "new"
    if current.annual_volume == volume and current.named_product_id == getattr(product, "pk", None):
        return "unchanged"
    current.annual_volume, current.named_product, current.reported_by = volume, product, file.by
    current.reported_at = file.now
    file.to_update.append(current)
    return "changed"


def _write(file: _DemandFile, filename: str, rows: int) -> None:
    if file.to_create:
        bulk_create_with_history(file.to_create, DemandReport, batch_size=1000, default_user=file.by)
    if file.to_update:
        bulk_update_with_history(
            file.to_update,
            DemandReport,
            ["annual_volume", "named_product", "reported_by", "reported_at"],
            batch_size=1000,
            default_user=file.by,
        )
    record_event(
        file.tender,
        "demand_imported",
        by=file.by,
        note=filename,
        data={"new": len(file.to_create), "changed": len(file.to_update), "rows": rows},
    )


def demand_template_rows(tender: Tender, *, hospital=None) -> list[list]:
    """The import layout filled with the tender's lots (and the hospital's current volumes), for download."""
    current = {}
    if hospital is not None:
        current = {
            d.lot_id: d
            for d in DemandReport.objects.filter(tender=tender, hospital=hospital).select_related("named_product")
        }
    rows = []
    for lot in tender.lots.order_by("number"):
        report = current.get(lot.pk)
        rows.append(
            [
                tender.code,
                lot.number,
                getattr(hospital, "uscc", "") or "",
                getattr(hospital, "name", "") or "",
                report.annual_volume if report else "",
                report.named_product.nhsa_code if report and report.named_product else "",
            ]
        )
    return rows
