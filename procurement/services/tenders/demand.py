"""Demand reports (报量): a hospital's annual volume per lot, during the demand window; an official may report for
any hospital."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.permissions import can, require
from catalog.models import Product
from common.errors import CommonError, ConflictError, PermissionDeniedError, ValidationFailed
from common.models import record_event
from common.numbers import integer_range, parse_int

from ...errors import TenderError
from ...models import DemandReport, Lot, Tender
from .state import S, lock_tender


def lot_products(lot: Lot, *, manufacturer_id: int | None = None):
    """Active catalog products that fit a lot: its generic name and, when the lot lists them, its dosage forms."""
    qs = Product.objects.filter(generic_name=lot.generic_name, is_active=True)
    if lot.dosage_forms:
        qs = qs.filter(dosage_form__in=lot.dosage_forms)
    if manufacturer_id is not None:
        qs = qs.filter(manufacturer_id=manufacturer_id)
    return qs.select_related("manufacturer").order_by("generic_name", "specification", "nhsa_code")


def _demand_hospital(by, hospital):
    """Whose demand this is: a hospital user reports its own; an official reports for any named hospital."""
    if can(by, "tender.report_demand") and not can(by, "tender.manage"):
        if hospital is not None and hospital.pk != by.organization_id:
            raise PermissionDeniedError(gettext("只能填报本机构的需求量"), code=TenderError.NOT_OWN_HOSPITAL)
        return by.organization
    require(by, "tender.manage")
    if hospital is None:
        raise ValidationFailed(gettext("请指定医疗机构"), field="hospital", code=CommonError.REQUIRED)
    if hospital.kind != "hospital" or not hospital.is_active:
        raise ValidationFailed(
            gettext("“%(hospital)s”不是有效的医疗机构") % {"hospital": hospital},
            field="hospital",
            code=TenderError.INVALID_HOSPITAL,
        )
    return hospital


def parse_volume(value, *, field: str = "annual_volume", form: bool = False) -> int:
    """An annual volume: a whole, non-negative number of minimum units (`form`: from a file or page, full-width
    digits folded)."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.endswith(".0"):  # Excel stores whole numbers as floats
        text = text[:-2]
    if isinstance(text, int | float) and not isinstance(text, bool) and text == int(text):  # a cell's number
        text = int(text)
    try:
        volume = parse_int(
            text,
            field=field,
            label=gettext_lazy("年度需求量"),
            max_value=integer_range(DemandReport._meta.get_field("annual_volume"))[1],
            form=form,
        )
    except ValidationFailed as exc:
        raise ValidationFailed(
            gettext("年度需求量应为整数（最小制剂单位）") + f"：{exc.message}", field=field, code=exc.code
        ) from None
    if volume < 0:
        raise ValidationFailed(gettext("年度需求量不能为负数"), field=field, code=TenderError.VOLUME_NEGATIVE)
    return volume


def check_named_product(lot: Lot, product) -> None:
    if product is None:
        return
    if product.generic_name != lot.generic_name or (lot.dosage_forms and product.dosage_form not in lot.dosage_forms):
        raise ValidationFailed(
            gettext("指定产品“%(product)s”不属于本品种") % {"product": product},
            field="named_product",
            code=TenderError.NAMED_PRODUCT_NOT_IN_LOT,
        )


def ensure_demand_window(tender: Tender, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if tender.status != S.DEMAND_COLLECTION or not (tender.demand_start <= now < tender.demand_end):
        raise ConflictError(gettext("不在报量时间内，不能填报需求量"), code=TenderError.OUTSIDE_WINDOW)


@transaction.atomic
def demand_report(*, lot: Lot, by, annual_volume, named_product=None, hospital=None) -> DemandReport:
    """Report (or change) a hospital's annual volume for a lot, during demand collection only."""
    if lot.tender.kind == Tender.Kind.CONSUMABLES:
        return _consumable_report(lot=lot, by=by, annual_volume=annual_volume, product=named_product, hospital=hospital)
    hospital = _demand_hospital(by, hospital)
    tender = lock_tender(lot.tender)
    ensure_demand_window(tender)
    volume = parse_volume(annual_volume)
    check_named_product(lot, named_product)
    report, created = DemandReport.objects.update_or_create(
        lot=lot,
        hospital=hospital,
        defaults={"tender": tender, "annual_volume": volume, "named_product": named_product, "reported_by": by},
    )
    record_event(
        report,
        "reported" if created else "changed",
        by=by,
        data={"annual_volume": volume, "named_product": getattr(named_product, "pk", None)},
    )
    return report


def _consumable_report(*, lot: Lot, by, annual_volume, product, hospital) -> DemandReport:
    """A consumable lot takes intended volumes per product (意向采购量 by brand), never per generic name: the volume is
    the named product's, and the hospital's total for the lot is returned."""
    # Import here: consumables.demand builds on this module's window and hospital checks (a cycle at import time).
    from .consumables.demand import consumable_demand_report  # noqa: PLC0415

    if product is None:
        raise ValidationFailed(
            gettext("医用耗材按产品（品牌）填报意向采购量，请选择产品"),
            field="named_product",
            code=TenderError.NAMED_PRODUCT_NOT_IN_LOT,
        )
    try:
        consumable_demand_report(lot=lot, by=by, product=product, volume=annual_volume, hospital=hospital)
    except ValidationFailed as exc:  # name the fields of this form, not the consumable service's
        field = {"volume": "annual_volume", "product": "named_product"}.get(exc.field, exc.field)
        raise ValidationFailed(exc.message, field=field, code=exc.code) from None
    return DemandReport.objects.get(lot=lot, hospital=hospital or by.organization)


@transaction.atomic
def demand_withdraw(*, report: DemandReport, by) -> None:
    """Remove a demand report during demand collection (the hospital then counts as not reporting that lot)."""
    _demand_hospital(by, report.hospital)
    tender = lock_tender(report.tender)
    ensure_demand_window(tender)
    record_event(
        tender,
        "demand_withdrawn",
        by=by,
        data={"lot": report.lot.number, "hospital": report.hospital_id, "annual_volume": report.annual_volume},
    )
    report.delete()
