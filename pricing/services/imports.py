"""Imports of price observations (the sources outside the platform) and of reference prices, from xlsx or csv.

All or nothing: every row is checked and reported (new / error with the reasons, rows numbered as in a
spreadsheet, header = row 1); a file with any bad row writes nothing. Products, hospitals and regions are looked up
once for the whole file, and the rows are written in bulk.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Organization, Region
from accounts.permissions import require
from catalog.models import Product
from common.errors import ValidationFailed
from common.importing import PROGRESS_EVERY, ImportReport, Report, RowReport, load_dataset, require_headers
from common.money import quantize_amount, quantize_unit_price, to_decimal
from common.numbers import parse_int

from ..errors import PricingError
from ..models import PriceObservation, ReferencePrice

OBSERVATION_HEADERS = ["产品代码", "来源", "日期", "单价", "单位"]
OBSERVATION_OPTIONAL = ["数量", "医疗机构", "统筹区代码", "省份"]
REFERENCE_HEADERS = ["产品代码", "类型", "单价", "单位", "生效日期", "来源"]
REFERENCE_OPTIONAL = ["失效日期", "采购品种", "本产品中选"]
MAX_ROWS = 200_000

SOURCE_NAMES = {
    "off_platform": PriceObservation.Source.OFF_PLATFORM,
    "医疗机构线下采购": PriceObservation.Source.OFF_PLATFORM,
    "线下采购": PriceObservation.Source.OFF_PLATFORM,
    "other_province": PriceObservation.Source.OTHER_PROVINCE,
    "外省挂网/采购价": PriceObservation.Source.OTHER_PROVINCE,
    "外省价格": PriceObservation.Source.OTHER_PROVINCE,
    "retail_survey": PriceObservation.Source.RETAIL_SURVEY,
    "零售药店调查": PriceObservation.Source.RETAIL_SURVEY,
}
KIND_NAMES = {
    **{k: k for k in ReferencePrice.Kind.values},
    **{str(label): k for k, label in ReferencePrice.Kind.choices},
}


def _text(row: dict, key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(row: dict, key: str, errors: list[str], *, required: bool = True) -> date | None:
    value = row.get(key)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(row, key)
    if not text:
        if required:
            errors.append(_("%(key)s：不能为空") % {"key": key})
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(text[:10] if fmt != "%Y%m%d" else text, fmt).date()
        except ValueError:
            continue
    errors.append(_("%(key)s：“%(text)s”不是日期（应为 2026-03-15 这样的格式）") % {"key": key, "text": text})
    return None


def _price(row: dict, key: str, errors: list[str]) -> Decimal | None:
    text = _text(row, key)
    if not text:
        errors.append(_("%(key)s：不能为空") % {"key": key})
        return None
    try:
        price = to_decimal(text, field=key, form=True, column=PriceObservation._meta.get_field("unit_price"))
    except ValidationFailed as exc:
        errors.append(f"{key}：{exc.message}")
        return None
    if price <= 0:
        errors.append(_("%(key)s：必须大于零（“%(text)s”）") % {"key": key, "text": text})
        return None
    return price


def _per_min_unit(product: Product, unit: str, price: Decimal, quantity: int, errors: list[str]):
    """Prices are compared per minimum unit: a pack price is divided by the pack size, a pack count multiplied."""
    if unit == product.min_unit:
        return quantize_unit_price(price), quantity
    if unit == product.pack_unit and product.pack_size:
        return quantize_unit_price(price / product.pack_size), quantity * product.pack_size
    errors.append(
        _("单位：“%(unit)s”不是该产品的最小制剂单位“%(min_unit)s”或包装单位“%(pack_unit)s”")
        % {"unit": unit, "min_unit": product.min_unit, "pack_unit": product.pack_unit}
    )
    return None, None


def _products(codes: set[str]) -> dict[str, Product]:
    return {p.nhsa_code: p for p in Product.objects.filter(nhsa_code__in=codes)}


def _rows(dataset) -> list[dict]:
    return [dict(zip(dataset.headers, values, strict=False)) for values in dataset]


def _batch_name(prefix: str) -> str:
    return f"{prefix}-{timezone.localtime():%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def _row_product(row: dict, products: dict, errors: list[str]) -> Product | None:
    code = _text(row, "产品代码")
    product = products.get(code)
    if not code:
        errors.append(_("产品代码：不能为空"))
    elif product is None:
        errors.append(_("产品代码：“%(code)s”不在产品目录中") % {"code": code})
    return product


def _row_source(row: dict, errors: list[str]) -> str | None:
    source_text = _text(row, "来源")
    source = SOURCE_NAMES.get(source_text)
    if source is None:
        if source_text in ("platform_receipt", "平台入库验收"):
            errors.append(_("来源：平台入库数据由验收自动生成，不能导入"))
        else:
            errors.append(
                _("来源：“%(source_text)s”未知（可用：医疗机构线下采购、外省价格、零售药店调查）")
                % {"source_text": source_text}
            )
    return source


def _row_quantity(row: dict, errors: list[str]) -> int:
    qty_text = _text(row, "数量")
    if not qty_text:
        return 0
    try:
        return parse_int(
            qty_text.removesuffix(".0"),
            field="数量",
            min_value=0,
            form=True,
            column=PriceObservation._meta.get_field("quantity"),
        )
    except ValidationFailed:
        errors.append(_("数量：“%(qty_text)s”必须是非负整数") % {"qty_text": qty_text})
        return 0


def _row_hospital(row: dict, hospitals: dict, source: str | None, errors: list[str]):
    hospital_text = _text(row, "医疗机构")
    if not hospital_text:
        if source == PriceObservation.Source.OFF_PLATFORM:
            errors.append(_("医疗机构：线下采购必须填写医疗机构"))
        return None
    hospital = hospitals.get(hospital_text)
    if hospital is None:
        errors.append(
            _("医疗机构：“%(hospital_text)s”不是已登记的医疗机构（填统一社会信用代码或全称）")
            % {"hospital_text": hospital_text}
        )
    return hospital


def _row_region(row: dict, regions: dict, errors: list[str]):
    region_code = _text(row, "统筹区代码")
    if not region_code:
        return None
    region = regions.get(region_code)
    if region is None:
        errors.append(_("统筹区代码：“%(region_code)s”未知") % {"region_code": region_code})
    return region


def _observation(row: dict, lookups: dict, errors: list[str]) -> PriceObservation | None:
    """One row as an observation, every problem of the row added to `errors` (then None)."""
    product = _row_product(row, lookups["products"], errors)
    source = _row_source(row, errors)
    observed_on = _date(row, "日期", errors)
    if observed_on and observed_on > lookups["today"]:
        errors.append(_("日期：%(observed_on)s 晚于今天") % {"observed_on": f"{observed_on:%Y-%m-%d}"})
    price = _price(row, "单价", errors)
    quantity = _row_quantity(row, errors)
    hospital = _row_hospital(row, lookups["hospitals"], source, errors)
    province = _text(row, "省份")
    if source == PriceObservation.Source.OTHER_PROVINCE and not province:
        errors.append(_("省份：外省价格必须填写来源省份"))
    region = _row_region(row, lookups["regions"], errors)
    unit = _text(row, "单位")
    unit_price = None
    if not unit:
        errors.append(_("单位：不能为空"))
    elif product is not None and price is not None:
        unit_price, quantity = _per_min_unit(product, unit, price, quantity, errors)
    if unit_price is not None and unit_price <= 0:
        errors.append(_("单价：换算到最小制剂单位后为零"))
    if errors:
        return None
    return PriceObservation(
        product=product,
        hospital=hospital,
        region=region or (hospital.region if hospital else None),
        province=province[:20],
        observed_on=observed_on,
        unit_price=unit_price,
        quantity=quantity,
        amount=quantize_amount(unit_price * quantity),
        source=source,
    )


@transaction.atomic
def observations_import(
    *, content: bytes, filename: str, by, dry_run: bool = False, progress: Report | None = None
) -> tuple[ImportReport, str]:
    """Import observations of hospitals' off-platform purchases, other provinces' prices and retail surveys.
    Returns the report and the batch name (empty when nothing was written)."""
    require(by, "pricing.import")
    dataset = load_dataset(content, name=filename)
    require_headers(dataset, OBSERVATION_HEADERS)
    if len(dataset) > MAX_ROWS:
        raise ValidationFailed(
            _("一次最多导入 %(MAX_ROWS)s 行") % {"MAX_ROWS": MAX_ROWS}, field="file", code=PricingError.TOO_MANY_ROWS
        )
    rows = _rows(dataset)
    products = _products({_text(r, "产品代码") for r in rows})
    hospital_keys = {_text(r, "医疗机构") for r in rows} - {""}
    hospitals = {}
    for org in Organization.objects.filter(Q(uscc__in=hospital_keys) | Q(name__in=hospital_keys), kind="hospital"):
        hospitals[org.uscc] = org
        hospitals[org.name] = org
    regions = {r.code: r for r in Region.objects.filter(code__in={_text(r, "统筹区代码") for r in rows} - {""})}
    lookups = {"products": products, "hospitals": hospitals, "regions": regions, "today": timezone.localdate()}
    batch = _batch_name("OBS")
    reports, objects = [], []
    for index, row in enumerate(rows, start=2):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index - 1, len(rows), _("逐行校验"))
        errors: list[str] = []
        observation = _observation(row, lookups, errors)
        if errors:
            reports.append(RowReport(row=index, status="error", errors=errors))
            continue
        observation.import_batch = batch
        reports.append(RowReport(row=index, status="new"))
        objects.append(observation)
    report = ImportReport(rows=reports, dry_run=dry_run)
    if progress is not None:
        progress(len(rows), len(rows), _("写入") if report.ok and not dry_run else _("逐行校验"))
    if report.ok and not dry_run:
        PriceObservation.objects.bulk_create(objects, batch_size=2000)
        return report, batch
    return report, ""


def _bool(text: str) -> bool | None:
    if text in ("", None):
        return None
    if text in ("是", "1", "true", "True", "Y", "y"):
        return True
    if text in ("否", "0", "false", "False", "N", "n"):
        return False
    raise ValueError(text)


def _reference(row: dict, products: dict, errors: list[str]) -> tuple:
    """One row of reference prices: (product, kind, valid_from, the other values), problems added to `errors`."""
    code = _text(row, "产品代码")
    product = products.get(code)
    if product is None:
        errors.append(_("产品代码：“%(code)s”不在产品目录中") % {"code": code} if code else _("产品代码：不能为空"))
    kind = KIND_NAMES.get(_text(row, "类型"))
    if kind is None:
        errors.append(
            _("类型：“%(value)s”未知（可用：%(items)s）")
            % {"value": _text(row, "类型"), "items": "、".join(str(lbl) for _k, lbl in ReferencePrice.Kind.choices)}
        )
    price = _price(row, "单价", errors)
    valid_from = _date(row, "生效日期", errors)
    valid_to = _date(row, "失效日期", errors, required=False)
    if valid_from and valid_to and valid_to < valid_from:
        errors.append(
            _("失效日期：%(valid_to)s 早于生效日期 %(valid_from)s")
            % {"valid_to": f"{valid_to:%Y-%m-%d}", "valid_from": f"{valid_from:%Y-%m-%d}"}
        )
    source = _text(row, "来源")
    if not source:
        errors.append(_("来源：不能为空"))
    try:
        selected = _bool(_text(row, "本产品中选"))
    except ValueError:
        errors.append(_("本产品中选：“%(value)s”应为 是 或 否") % {"value": _text(row, "本产品中选")})
        selected = None
    unit_price = None
    if product is not None and price is not None:
        unit_price, _qty = _per_min_unit(product, _text(row, "单位"), price, 0, errors)
    values = {
        "unit_price": unit_price,
        "valid_to": valid_to,
        "source": source[:200],
        "selected": selected,
        "lot_label": _text(row, "采购品种")[:200],
    }
    return product, kind, valid_from, values


@transaction.atomic
def reference_prices_import(
    *, content: bytes, filename: str, by, dry_run: bool = False, progress: Report | None = None
) -> ImportReport:
    """Import reference prices (national lowest, VBP awarded, payment standard, max valid bid) with their source
    and validity. A row identical to a stored one (product, kind, start) updates it."""
    require(by, "pricing.import")
    dataset = load_dataset(content, name=filename)
    require_headers(dataset, REFERENCE_HEADERS)
    rows = _rows(dataset)
    products = _products({_text(r, "产品代码") for r in rows})
    reports, new, changed = [], [], []
    existing = {
        (r.product_id, r.kind, r.valid_from): r
        for r in ReferencePrice.objects.filter(product__in=list(products.values()))
    }
    for index, row in enumerate(rows, start=2):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index - 1, len(rows), _("逐行校验"))
        errors: list[str] = []
        product, kind, valid_from, values = _reference(row, products, errors)
        if errors:
            reports.append(RowReport(row=index, status="error", errors=errors))
            continue
        found = existing.get((product.pk, kind, valid_from))
        if found is None:
            new.append(ReferencePrice(product=product, kind=kind, valid_from=valid_from, **values))
            reports.append(RowReport(row=index, status="new"))
        elif any(getattr(found, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(found, k, v)
            changed.append(found)
            reports.append(RowReport(row=index, status="changed"))
        else:
            reports.append(RowReport(row=index, status="unchanged"))
    report = ImportReport(rows=reports, dry_run=dry_run)
    if progress is not None:
        progress(len(rows), len(rows), _("写入") if report.ok and not dry_run else _("逐行校验"))
    if report.ok and not dry_run:
        if new:
            bulk_create_with_history(new, ReferencePrice, batch_size=1000, default_user=by)
        if changed:
            bulk_update_with_history(
                changed,
                ReferencePrice,
                ["unit_price", "valid_to", "source", "selected", "lot_label"],
                batch_size=1000,
                default_user=by,
            )
    return report
