"""Import of off-platform purchases (线下采购) that hospitals report, for the online-purchase share.

File: xlsx or UTF-8 csv with the headers 医保代码, 月份 (YYYY-MM), 数量 (minimum units), 金额 (yuan), and optionally
医疗机构 (name or 统一社会信用代码; required when an official imports for several hospitals, and must be the user's
own hospital otherwise) and 来源. One row per hospital × product × month: a row already reported is replaced
(变更), an identical one is 未变. All or nothing, like the catalog and organisation imports: any bad row and nothing
is written, every row reported with its reason (row numbers as the spreadsheet shows them, header = row 1).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from accounts.models import Organization
from accounts.permissions import is_official, require
from catalog.models import Product
from common.importing import ImportReport, RowReport, load_dataset, require_headers
from common.money import quantize_amount
from common.numbers import parse_decimal, parse_int

from .errors import ValidationFailed
from .models import OffPlatformImport, OffPlatformPurchase
from .services.order_steps import supply_class_of

REQUIRED = ["医保代码", "月份", "数量", "金额"]
HEADERS = ["医疗机构", *REQUIRED, "来源"]
MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:[-/.]\d{1,2}日?)?(?: 00:00:00)?$")


class _RowError(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return text[:-2] if re.fullmatch(r"\d+\.0", text) else text


def _month(value) -> date:
    if isinstance(value, date):
        return value.replace(day=1)
    match = MONTH.match(_text(value))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise _RowError(gettext("月份“%(value)s”格式应为 YYYY-MM") % {"value": _text(value)})
    return date(int(match.group(1)), int(match.group(2)), 1)


def _quantity(value) -> int:
    text = _text(value)
    try:
        return parse_int(
            text, field="quantity", min_value=0, form=True, column=OffPlatformPurchase._meta.get_field("quantity")
        )
    except ValidationFailed:
        raise _RowError(gettext("数量“%(text)s”应为非负整数（最小制剂单位）") % {"text": text[:40]}) from None


def _amount(value) -> Decimal:
    """Yuan, at most 2 decimals (the amount column's), never negative."""
    try:
        amount = parse_decimal(
            _text(value), field="amount", label="金额", form=True, column=OffPlatformPurchase._meta.get_field("amount")
        )
    except ValidationFailed as exc:
        raise _RowError(exc.message) from None
    if amount < 0:
        raise _RowError(gettext("金额不能为负数"))
    return quantize_amount(amount)


def _hospital_lookup(rows: list[dict]) -> dict[str, Organization]:
    """The hospitals the rows name, by name and by USCC."""
    keys = {_text(r.get("医疗机构")) for r in rows if _text(r.get("医疗机构"))}
    hospitals = {}
    for org in Organization.objects.filter(Q(name__in=keys) | Q(uscc__in=keys), kind=Organization.Kind.HOSPITAL):
        hospitals[org.name] = org
        if org.uscc:
            hospitals[org.uscc] = org
    return hospitals


def _row_hospital(row: dict, hospitals: dict, *, by, own) -> Organization:
    """The row's hospital: the one it names (a hospital user may name only its own), else the user's own."""
    hospital_key = _text(row.get("医疗机构"))
    if not hospital_key:
        if own is None:
            raise _RowError(gettext("医疗机构不能为空"))
        return own
    hospital = hospitals.get(hospital_key)
    if hospital is None:
        raise _RowError(gettext("医疗机构“%(hospital_key)s”不在机构名录中") % {"hospital_key": hospital_key})
    if own is not None and hospital.pk != by.organization_id:
        raise _RowError(gettext("只能上报本机构的线下采购"))
    return hospital


def _parse_rows(rows: list[dict], *, by, own) -> tuple[list[RowReport], list[tuple]]:
    """A report per row and the good rows as (row number, hospital, product, month, quantity, amount, source)."""
    products = {p.nhsa_code: p for p in Product.objects.filter(nhsa_code__in={_text(r.get("医保代码")) for r in rows})}
    hospitals = _hospital_lookup(rows)
    reports: list[RowReport] = []
    parsed = []
    seen: dict[tuple, int] = {}
    for index, row in enumerate(rows, start=2):
        try:
            hospital = _row_hospital(row, hospitals, by=by, own=own)
            code = _text(row.get("医保代码"))
            product = products.get(code)
            if product is None:
                raise _RowError(gettext("医保代码“%(code)s”不在目录中") % {"code": code})
            month = _month(row.get("月份"))
            key = (hospital.pk, product.pk, month)
            if key in seen:
                raise _RowError(gettext("与第 %(seen)s 行重复（同一机构、产品、月份）") % {"seen": seen[key]})
            seen[key] = index
            quantity, amount = _quantity(row.get("数量")), _amount(row.get("金额"))
            parsed.append((index, hospital, product, month, quantity, amount, _text(row.get("来源"))[:100]))
            reports.append(RowReport(row=index, status="new"))
        except _RowError as exc:
            reports.append(RowReport(row=index, status="error", errors=[str(exc)]))
    return reports, parsed


def _plan(parsed: list[tuple], reports: list[RowReport]) -> tuple[list, list]:
    """The purchases to create and the stored ones to update; each row's report says new, changed or unchanged."""
    existing = {
        (p.hospital_id, p.product_id, p.month): p
        for p in OffPlatformPurchase.objects.filter(
            hospital_id__in={h.pk for _, h, *_ in parsed},
            product_id__in={p.pk for _, _, p, *_ in parsed},
            month__in={x[3] for x in parsed},
        )
    }
    by_row = {r.row: r for r in reports}
    to_create, to_update = [], []
    for index, hospital, product, month, quantity, amount, source in parsed:
        current = existing.get((hospital.pk, product.pk, month))
        if current is None:
            to_create.append(
                OffPlatformPurchase(
                    hospital=hospital,
                    product=product,
                    supply_class=supply_class_of(product),
                    month=month,
                    quantity=quantity,
                    amount=amount,
                    source=source,
                )
            )
        elif (current.quantity, current.amount, current.source) == (quantity, amount, source):
            by_row[index].status = "unchanged"
        else:
            current.quantity, current.amount, current.source = quantity, amount, source
            to_update.append(current)
            by_row[index].status = "changed"
    return to_create, to_update


def offplatform_import(
    *, by, data: bytes, name: str, dry_run: bool = False
) -> tuple[ImportReport, OffPlatformImport | None]:
    """Check every row, then write all of them (bulk) or none. Returns the report and the batch (None when
    nothing was written)."""
    require(by, "offplatform.import")
    dataset = load_dataset(data, name=name)
    require_headers(dataset, REQUIRED)
    official = is_official(by)
    own = None if official else by.organization  # a hospital's rows default to (and must be) its own
    rows = [dict(zip(dataset.headers, values, strict=False)) for values in dataset]
    reports, parsed = _parse_rows(rows, by=by, own=own)
    report = ImportReport(rows=reports, dry_run=dry_run)
    if not report.ok:
        return report, None
    to_create, to_update = _plan(parsed, reports)
    if dry_run:
        return report, None
    with transaction.atomic():
        batch = OffPlatformImport.objects.create(
            original_name=name[:255],
            hospital=None if official else by.organization,
            rows=len(rows),
            counts=report.counts(),
            created_by=by,
        )
        for obj in to_create + to_update:
            obj.import_batch = batch
        OffPlatformPurchase.objects.bulk_create(to_create, batch_size=2000)
        OffPlatformPurchase.objects.bulk_update(
            to_update, ["quantity", "amount", "source", "import_batch"], batch_size=2000
        )
    return report, batch
