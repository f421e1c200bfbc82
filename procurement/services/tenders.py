"""Volume-based tenders: lifecycle, demand reports, sealed bids, opening, evaluation, awards and commitments.

Every step locks the tender row first (select_for_update), so a bid racing the deadline and the step that
closes bidding are ordered by the database: a bid is either fully in, or rejected. Deadlines are compared
with the database transaction's `timezone.now()` taken after the lock, to the second.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.permissions import can, require
from catalog.models import Product
from common.errors import CommonError, ConflictError, PermissionDeniedError, ValidationFailed
from common.history import record_history
from common.models import record_event
from common.money import quantize_amount, quantize_unit_price
from common.numbers import integer_range, parse_decimal, parse_int

from .. import evaluation, hooks, sealing
from ..errors import TenderError
from ..models import Award, Bid, DemandReport, Listing, Lot, Tender, TenderEvaluation
from ..sql import awards as award_sql
from ..sql import opening as opening_sql
from ..strength import comparison_unit_price, parse_strength, strength_factor

S = Tender.Status
RULES_LOCKED_FROM = (S.BIDDING, S.OPENED, S.AWARDED, S.EXECUTING, S.CLOSED, S.CANCELLED)


# --- helpers ------------------------------------------------------------------------------------------


def _lock(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().get(pk=tender.pk)


TRANSITIONS = {
    S.DEMAND_COLLECTION: "start_demand_collection",
    S.BIDDING: "start_bidding",
    S.OPENED: "open_bids",
    S.AWARDED: "publish_awards",
    S.EXECUTING: "start_execution",
    S.CLOSED: "close",
    S.CANCELLED: "cancel",
}


def _move(tender: Tender, to: str, *, by=None, note: str = "", data: dict | None = None) -> None:
    """Run the model's FSM transition to `to` (it refuses a wrong source state), save, and audit it."""
    previous = tender.status
    getattr(tender, TRANSITIONS[to])()
    tender.save(update_fields=["status", "opened_at", "awarded_at", "cancel_reason"])
    record_event(tender, "status", by=by, from_state=previous, to_state=to, note=note, data=data)


def parse_price(value, *, field: str = "price", label=None) -> Decimal:
    """A price per minimum unit (a bid's, a lot's max): common.numbers' rules for the price column (never a float, at
    most 4 decimals), and above zero."""
    price = parse_decimal(value, field=field, label=label or gettext_lazy("报价"), column=Bid._meta.get_field("price"))
    if price <= 0:
        raise ValidationFailed(gettext("报价必须大于零"), field=field, code=TenderError.PRICE_NOT_POSITIVE)
    return price


# --- tenders and lots -----------------------------------------------------------------------------------


@transaction.atomic
def tender_create(
    *,
    by,
    code: str,
    name: str,
    demand_start: datetime,
    demand_end: datetime,
    bid_deadline: datetime,
    opening_at: datetime,
    cycle_start,
    cycle_end,
    level: str = Tender.Level.REGIONAL,
    kind: str = Tender.Kind.DRUGS,
    rules: dict | None = None,
) -> Tender:
    require(by, "tender.manage")
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise ValidationFailed(gettext("批次编号不能为空"), field="code", code=CommonError.REQUIRED)
    if not name:
        raise ValidationFailed(gettext("批次名称不能为空"), field="name", code=CommonError.REQUIRED)
    if level not in Tender.Level.values:
        raise ValidationFailed(
            gettext("采购层级“%(level)s”无效") % {"level": level}, field="level", code=TenderError.INVALID_LEVEL
        )
    if kind not in Tender.Kind.values:
        raise ValidationFailed(
            gettext("采购类别“%(kind)s”无效") % {"kind": kind}, field="kind", code=TenderError.INVALID_KIND
        )
    if not demand_start < demand_end <= bid_deadline <= opening_at:
        raise ValidationFailed(
            gettext("时间顺序应为：报量开始 < 报量截止 ≤ 申报截止 ≤ 开标时间"),
            field="bid_deadline",
            code=TenderError.DATES_OUT_OF_ORDER,
        )
    if not cycle_start < cycle_end:
        raise ValidationFailed(
            gettext("采购周期结束应晚于开始"), field="cycle_end", code=TenderError.CYCLE_END_BEFORE_START
        )
    if Tender.objects.filter(code=code).exists():
        raise ValidationFailed(
            gettext("批次编号 %(code)s 已存在") % {"code": code}, field="code", code=TenderError.TENDER_CODE_TAKEN
        )
    try:
        rules_obj = evaluation.SelectionRules.from_dict(rules or {})
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            gettext("中选规则无效：%(exc)s") % {"exc": exc}, field="rules", code=TenderError.INVALID_RULES
        ) from exc
    tender = Tender.objects.create(
        code=code,
        name=name,
        level=level,
        kind=kind,
        demand_start=demand_start,
        demand_end=demand_end,
        bid_deadline=bid_deadline,
        opening_at=opening_at,
        cycle_start=cycle_start,
        cycle_end=cycle_end,
        rules=rules_obj.to_dict(),
        sealing_key=sealing.new_tender_key(),
        created_by=by,
    )
    record_event(tender, "created", by=by, to_state=tender.status)
    return tender


@transaction.atomic
def tender_set_rules(*, tender: Tender, rules: dict, by) -> Tender:
    require(by, "tender.manage")
    tender = _lock(tender)
    if tender.status in RULES_LOCKED_FROM:
        raise ConflictError(gettext("申报开始后不能修改中选规则"), code=TenderError.RULES_LOCKED)
    try:
        tender.rules = evaluation.SelectionRules.from_dict(rules).to_dict()
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            gettext("中选规则无效：%(exc)s") % {"exc": exc}, field="rules", code=TenderError.INVALID_RULES
        ) from exc
    tender.save(update_fields=["rules"])
    record_event(tender, "rules_changed", by=by, data={"rules": tender.rules})
    return tender


@transaction.atomic
def lot_add(
    *,
    tender: Tender,
    by,
    number: str,
    generic_name: str,
    max_price,
    dosage_form_group: str = "",
    dosage_forms: list[str] | None = None,
    reference_specification: str = "",
    comparison_unit: str = "片",
    quality_requirement: str = "",
    price_ratio_per_doubling="1.7",
) -> Lot:
    require(by, "tender.manage")
    tender = _lock(tender)
    if tender.status not in (S.DRAFT, S.DEMAND_COLLECTION):
        raise ConflictError(gettext("申报开始后不能再增加品种"), code=TenderError.LOTS_LOCKED)
    number = (number or "").strip()
    generic_name = (generic_name or "").strip()
    if not number:
        raise ValidationFailed(gettext("品种编号不能为空"), field="number", code=CommonError.REQUIRED)
    if tender.lots.filter(number=number).exists():
        raise ValidationFailed(
            gettext("本批次已有品种编号 %(number)s") % {"number": number},
            field="number",
            code=TenderError.LOT_NUMBER_TAKEN,
        )
    if not generic_name:
        raise ValidationFailed(gettext("通用名/耗材类别不能为空"), field="generic_name", code=CommonError.REQUIRED)
    if quality_requirement not in Lot.Quality.values:
        raise ValidationFailed(
            gettext("质量要求“%(quality_requirement)s”无效") % {"quality_requirement": quality_requirement},
            field="quality_requirement",
            code=TenderError.INVALID_QUALITY_REQUIREMENT,
        )
    max_price = parse_price(max_price, field="max_price", label=gettext_lazy("最高有效申报价"))
    ratio = _parse_price_ratio(price_ratio_per_doubling)
    strength = parse_strength(reference_specification) if reference_specification else None
    if reference_specification and strength is None:
        raise ValidationFailed(
            gettext("无法识别参比规格“%(reference_specification)s”中的含量")
            % {"reference_specification": reference_specification},
            field="reference_specification",
            code=TenderError.UNKNOWN_STRENGTH,
        )
    lot = Lot.objects.create(
        tender=tender,
        number=number,
        generic_name=generic_name,
        dosage_form_group=dosage_form_group,
        dosage_forms=[f.strip() for f in (dosage_forms or []) if f and f.strip()],
        reference_specification=reference_specification,
        reference_strength=strength[0] if strength else None,
        strength_unit=strength[1] if strength else "",
        comparison_unit=comparison_unit or "片",
        max_price=max_price,
        quality_requirement=quality_requirement,
        price_ratio_per_doubling=ratio,
    )
    record_event(tender, "lot_added", by=by, data={"lot": number, "generic_name": generic_name})
    return lot


def _parse_price_ratio(value) -> Decimal:
    """含量差比价系数: between 1 and 4, at most 4 decimals (common.numbers, the column's places)."""
    return parse_decimal(
        value,
        field="price_ratio_per_doubling",
        label=gettext_lazy("含量差比价系数"),
        column=Lot._meta.get_field("price_ratio_per_doubling"),
        min_value=Decimal(1),
        max_value=Decimal(4),
    )


@transaction.atomic
def tender_create_with_lots(*, by, lots: list[dict], **fields) -> Tender:
    """A tender and its lots in one step: any bad lot (named by its position) and nothing is created."""
    tender = tender_create(by=by, **fields)
    for index, spec in enumerate(lots, start=1):
        try:
            lot_add(tender=tender, by=by, **spec)
        except ValidationFailed as exc:
            raise ValidationFailed(
                gettext("第 %(index)s 个品种：%(message)s") % {"index": index, "message": exc.message},
                field=f"lots[{index - 1}].{exc.field}",
                code=exc.code,
            ) from exc
    return tender


@transaction.atomic
def tender_start_demand_collection(*, tender: Tender, by) -> Tender:
    require(by, "tender.manage")
    tender = _lock(tender)
    if tender.status != S.DRAFT:
        raise ConflictError(
            gettext("当前状态“%(status)s”不能开始报量") % {"status": tender.get_status_display()},
            code=TenderError.WRONG_STATUS,
        )
    if not tender.lots.exists():
        raise ValidationFailed(gettext("至少需要一个品种才能开始报量"), field="lots", code=TenderError.NO_LOTS)
    _move(tender, S.DEMAND_COLLECTION, by=by)
    return tender


@transaction.atomic
def tender_cancel(*, tender: Tender, reason: str, by) -> Tender:
    require(by, "tender.manage")
    if not (reason or "").strip():
        raise ValidationFailed(gettext("终止采购必须填写原因"), field="reason", code=CommonError.REQUIRED)
    tender = _lock(tender)
    if tender.status not in (S.DRAFT, S.DEMAND_COLLECTION, S.BIDDING, S.OPENED):
        raise ConflictError(gettext("中选结果公布后不能终止"), code=TenderError.CANCEL_TOO_LATE)
    tender.cancel_reason = reason.strip()
    _move(tender, S.CANCELLED, by=by, note=reason)
    return tender


@transaction.atomic
def tender_refresh(*, tender: Tender, now: datetime | None = None) -> Tender:
    """Make the time-driven steps that are due: close demand collection, open bids, start and close execution.

    Called by the periodic job and on every read, so a tender's status is never stale.
    """
    now = now or timezone.now()
    tender = _lock(tender)
    if tender.status == S.DEMAND_COLLECTION and now >= tender.demand_end:
        _move(tender, S.BIDDING, note="报量截止，自动进入申报")
    if tender.status == S.BIDDING and now >= tender.opening_at:
        _open(tender, now=now, by=None)
    today = timezone.localdate(now)
    if tender.status == S.AWARDED and today >= tender.cycle_start:
        _move(tender, S.EXECUTING, note="采购周期开始")
    if tender.status == S.EXECUTING and today > tender.cycle_end:
        _move(tender, S.CLOSED, note="采购周期结束")
    return tender


def tenders_refresh_due(*, now: datetime | None = None) -> int:
    """Refresh every tender with a time-driven step due; each in its own transaction. Returns how many moved."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Tender.objects.filter(
        Q(status=S.DEMAND_COLLECTION, demand_end__lte=now)
        | Q(status=S.BIDDING, opening_at__lte=now)
        | Q(status=S.AWARDED, cycle_start__lte=today)
        | Q(status=S.EXECUTING, cycle_end__lt=today)
    ).order_by("pk")
    moved = 0
    for tender in due:
        before = tender.status
        if tender_refresh(tender=tender, now=now).status != before:
            moved += 1
    return moved


# --- demand reports -------------------------------------------------------------------------------------


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


def _ensure_demand_window(tender: Tender, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if tender.status != S.DEMAND_COLLECTION or not (tender.demand_start <= now < tender.demand_end):
        raise ConflictError(gettext("不在报量时间内，不能填报需求量"), code=TenderError.OUTSIDE_WINDOW)


@transaction.atomic
def demand_report(*, lot: Lot, by, annual_volume, named_product=None, hospital=None) -> DemandReport:
    """Report (or change) a hospital's annual volume for a lot, during demand collection only."""
    hospital = _demand_hospital(by, hospital)
    tender = _lock(lot.tender)
    _ensure_demand_window(tender)
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


@transaction.atomic
def demand_withdraw(*, report: DemandReport, by) -> None:
    """Remove a demand report during demand collection (the hospital then counts as not reporting that lot)."""
    _demand_hospital(by, report.hospital)
    tender = _lock(report.tender)
    _ensure_demand_window(tender)
    record_event(
        tender,
        "demand_withdrawn",
        by=by,
        data={"lot": report.lot.number, "hospital": report.hospital_id, "annual_volume": report.annual_volume},
    )
    report.delete()


# --- bids -----------------------------------------------------------------------------------------------


def _check_bid_inputs(*, lot: Lot, product, price, supply_capacity, by) -> Decimal:
    if not can(by, "tender.bid"):
        raise PermissionDeniedError(gettext("只有生产企业可以申报"), code=TenderError.NOT_MANUFACTURER)
    if product.manufacturer_id != by.organization_id:
        raise ValidationFailed(gettext("只能以本企业的产品申报"), field="product", code=TenderError.NOT_OWN_PRODUCT)
    if product.generic_name != lot.generic_name:
        raise ValidationFailed(
            gettext("产品通用名“%(generic_name)s”与品种“%(generic_name2)s”不一致")
            % {"generic_name": product.generic_name, "generic_name2": lot.generic_name},
            field="product",
            code=TenderError.PRODUCT_NOT_IN_LOT,
        )
    if lot.dosage_forms and product.dosage_form not in lot.dosage_forms:
        raise ValidationFailed(
            gettext("产品剂型“%(dosage_form)s”不属于本品种的剂型组") % {"dosage_form": product.dosage_form},
            field="product",
            code=TenderError.PRODUCT_NOT_IN_LOT,
        )
    if lot.reference_strength and parse_strength(product.specification) is None:
        raise ValidationFailed(
            gettext("无法识别产品规格“%(specification)s”中的含量，不能计算差比价")
            % {"specification": product.specification},
            field="product",
            code=TenderError.UNKNOWN_STRENGTH,
        )
    price = parse_price(price)
    if price > lot.max_price:
        raise ValidationFailed(gettext("报价高于本品种最高有效申报价"), field="price", code=TenderError.PRICE_ABOVE_MAX)
    try:
        capacity = parse_int(supply_capacity, field="supply_capacity", column=Bid._meta.get_field("supply_capacity"))
    except ValidationFailed as exc:
        raise ValidationFailed(
            gettext("供应能力应为正整数") + f"：{exc.message}", field="supply_capacity", code=exc.code
        ) from None
    if capacity <= 0:
        raise ValidationFailed(
            gettext("供应能力应为正整数"), field="supply_capacity", code=TenderError.CAPACITY_NOT_POSITIVE
        )
    return price


def _lock_open_for_bids(lot: Lot) -> tuple[Tender, datetime]:
    tender = _lock(lot.tender)
    now = timezone.now()
    if tender.status != S.BIDDING:
        raise ConflictError(
            gettext("当前状态“%(status)s”不接受申报") % {"status": tender.get_status_display()},
            code=TenderError.NOT_BIDDING,
        )
    if now >= tender.bid_deadline:
        raise ConflictError(gettext("已过申报截止时间"), code=TenderError.DEADLINE_PASSED)
    return tender, now


def _new_bid(*, tender: Tender, lot: Lot, product, price: Decimal, supply_capacity, by, now, replaces=None) -> Bid:
    token, nonce = sealing.seal_price(tender, price)
    digest = sealing.bid_digest(
        tender_code=tender.code,
        lot_number=lot.number,
        manufacturer_uscc=by.organization.uscc or "",
        product_code=product.nhsa_code,
        price=price,
        supply_capacity=int(supply_capacity),
        submitted_at_iso=now.isoformat(),
        nonce=nonce,
    )
    bid = Bid.objects.create(
        tender=tender,
        lot=lot,
        manufacturer=by.organization,
        product=product,
        sealed_price=token,
        seal_hash=digest,
        supply_capacity=int(supply_capacity),
        submitted_at=now,
        submitted_by=by,
        replaces=replaces,
    )
    record_event(bid, "submitted", by=by, to_state=bid.status, data={"seal_hash": digest})
    return bid


@transaction.atomic
def bid_submit(*, lot: Lot, product, price, supply_capacity, by) -> Bid:
    price = _check_bid_inputs(lot=lot, product=product, price=price, supply_capacity=supply_capacity, by=by)
    tender, now = _lock_open_for_bids(lot)
    if Bid.objects.filter(lot=lot, manufacturer=by.organization, status=Bid.Status.SUBMITTED).exists():
        raise ConflictError(
            gettext("本企业在该品种已有有效申报，请替换或撤回后再申报"), code=TenderError.LIVE_BID_EXISTS
        )
    return _new_bid(
        tender=tender, lot=lot, product=product, price=price, supply_capacity=supply_capacity, by=by, now=now
    )


@transaction.atomic
def bid_replace(*, bid: Bid, price, supply_capacity, by, product=None) -> Bid:
    product = product or bid.product
    price = _check_bid_inputs(lot=bid.lot, product=product, price=price, supply_capacity=supply_capacity, by=by)
    tender, now = _lock_open_for_bids(bid.lot)
    old = Bid.objects.select_for_update().get(pk=bid.pk)
    if old.manufacturer_id != by.organization_id:
        raise PermissionDeniedError(gettext("只能替换本企业的申报"), code=TenderError.NOT_OWN_BID)
    if old.status != Bid.Status.SUBMITTED:
        raise ConflictError(gettext("该申报已被替换或撤回"), code=TenderError.BID_NOT_LIVE)
    Bid.objects.filter(pk=old.pk).update(status=Bid.Status.REPLACED)
    record_history(Bid.objects.filter(pk=old.pk), by=by, reason="替换申报")
    record_event(old, "replaced", by=by, from_state=Bid.Status.SUBMITTED, to_state=Bid.Status.REPLACED)
    return _new_bid(
        tender=tender,
        lot=old.lot,
        product=product,
        price=price,
        supply_capacity=supply_capacity,
        by=by,
        now=now,
        replaces=old,
    )


@transaction.atomic
def bid_withdraw(*, bid: Bid, by) -> Bid:
    if not can(by, "tender.bid"):
        raise PermissionDeniedError(gettext("只有生产企业可以撤回申报"), code=TenderError.NOT_MANUFACTURER)
    _lock_open_for_bids(bid.lot)
    bid = Bid.objects.select_for_update().get(pk=bid.pk)
    if bid.manufacturer_id != by.organization_id:
        raise PermissionDeniedError(gettext("只能撤回本企业的申报"), code=TenderError.NOT_OWN_BID)
    if bid.status != Bid.Status.SUBMITTED:
        raise ConflictError(gettext("该申报已被替换或撤回"), code=TenderError.BID_NOT_LIVE)
    Bid.objects.filter(pk=bid.pk).update(status=Bid.Status.WITHDRAWN, withdrawn_at=timezone.now())
    record_history(Bid.objects.filter(pk=bid.pk), by=by, reason="撤回申报")
    bid.refresh_from_db()
    record_event(bid, "withdrawn", by=by, from_state=Bid.Status.SUBMITTED, to_state=Bid.Status.WITHDRAWN)
    return bid


# --- opening --------------------------------------------------------------------------------------------


# A deactivated manufacturer's bids stay sealed until the opening, which marks them invalid with this reason.
INVALID_MAKER_DEACTIVATED = "生产企业已停用"


def _open(tender: Tender, *, now: datetime, by) -> None:
    """Decrypt the live bids, verify their digests, compute comparison prices and mark invalid bids.

    Reads plain rows (no model instances) and writes them back set-based: opening 20,000 bids is a few seconds."""
    barred = hooks.barred_manufacturer_ids(tender)
    unseal = sealing.tender_unsealer(tender, now=now)
    lots = {lot.pk: lot for lot in tender.lots.all()}
    # The live bids, locked (a bid racing the deadline is ordered by the tender lock already; this keeps them still).
    live = Bid.objects.select_for_update(of=("self",)).filter(tender=tender, status=Bid.Status.SUBMITTED).order_by("pk")
    rows = live.values_list(
        "pk",
        "lot_id",
        "manufacturer_id",
        "manufacturer__uscc",
        "product__nhsa_code",
        "product__generic_name",
        "product__dosage_form",
        "product__specification",
        "product__consistency_evaluated",
        "sealed_price",
        "seal_hash",
        "supply_capacity",
        "submitted_at",
        "manufacturer__is_active",
    )
    factors: dict[tuple[int, str], Decimal | None] = {}
    updates = []
    for (
        pk,
        lot_id,
        maker_id,
        uscc,
        code,
        generic,
        form,
        spec,
        consistent,
        token,
        seal_hash,
        capacity,
        submitted_at,
        maker_active,
    ) in rows:
        lot = lots[lot_id]
        price, nonce = unseal(token)
        digest = sealing.bid_digest(
            tender_code=tender.code,
            lot_number=lot.number,
            manufacturer_uscc=uscc or "",
            product_code=code,
            price=price,
            supply_capacity=capacity,
            submitted_at_iso=submitted_at.isoformat(),
            nonce=nonce,
        )
        reasons = []
        if digest != seal_hash:
            reasons.append("申报摘要校验不一致（数据可能被篡改）")
        if generic != lot.generic_name or (lot.dosage_forms and form not in lot.dosage_forms):
            reasons.append("申报产品不属于本品种")
        if price > lot.max_price:
            reasons.append("报价高于最高有效申报价")
        if maker_id in barred:
            reasons.append("企业因信用评价被限制参与集中采购")
        if not maker_active:
            reasons.append(INVALID_MAKER_DEACTIVATED)
        if lot.quality_requirement == Lot.Quality.CONSISTENCY and not consistent:
            reasons.append("产品未通过一致性评价，不满足质量要求")
        factor = Decimal(1)
        if lot.reference_strength:
            key = (lot_id, spec)
            if key not in factors:
                strength = parse_strength(spec)
                factors[key] = (
                    None
                    if strength is None or strength[1] != lot.strength_unit
                    else strength_factor(
                        product_strength=strength[0],
                        reference_strength=lot.reference_strength,
                        ratio=lot.price_ratio_per_doubling,
                    )
                )
            if factors[key] is None:
                reasons.append("产品含量无法与参比规格换算")
            else:
                factor = factors[key]
        updates.append(
            (
                pk,
                price,
                comparison_unit_price(price, factor),
                "；".join(reasons),
                Bid.Status.INVALID if reasons else Bid.Status.VALID,
            )
        )
    opening_sql.set_opened_bids(updates)
    record_history(
        Bid.objects.filter(tender=tender, status__in=[Bid.Status.VALID, Bid.Status.INVALID]), by=by, reason="开标"
    )
    tender.opened_at = now
    _move(tender, S.OPENED, by=by, note="开标", data={"bids": len(updates)})


@transaction.atomic
def tender_open_bids(*, tender: Tender, by=None, now: datetime | None = None) -> Tender:
    if by is not None:
        require(by, "tender.manage")
    now = now or timezone.now()
    tender = _lock(tender)
    if tender.status == S.OPENED:
        return tender
    if tender.status != S.BIDDING:
        raise ConflictError(
            gettext("当前状态“%(status)s”不能开标") % {"status": tender.get_status_display()},
            code=TenderError.WRONG_STATUS,
        )
    if now < tender.opening_at:
        raise ConflictError(gettext("开标时间未到"), code=TenderError.OPENING_NOT_DUE)
    _open(tender, now=now, by=by)
    return tender


# --- evaluation and awards ------------------------------------------------------------------------------


@transaction.atomic
def tender_evaluate(*, tender: Tender, by, rerun_reason: str = "") -> TenderEvaluation:
    """Run the selection rules. A second run is a no-op unless it is an explicit re-run with a reason."""
    require(by, "tender.manage")
    tender = _lock(tender)
    if tender.status != S.OPENED:
        raise ConflictError(gettext("只有已开标的批次可以评审"), code=TenderError.NOT_OPENED)
    current = tender.evaluations.filter(is_current=True).first()
    if current and not rerun_reason.strip():
        return current
    rules = evaluation.SelectionRules.from_dict(tender.rules)
    lots = list(tender.lots.order_by("pk"))
    opened = Bid.objects.filter(
        tender=tender, status__in=[Bid.Status.VALID, Bid.Status.INVALID, Bid.Status.SELECTED, Bid.Status.NOT_SELECTED]
    )
    by_lot: dict[int, list] = defaultdict(list)
    for pk, lot_id, maker_id, product_id, comparison_price, capacity, submitted_at, reason in opened.order_by(
        "pk"
    ).values_list(
        "pk",
        "lot_id",
        "manufacturer_id",
        "product_id",
        "comparison_price",
        "supply_capacity",
        "submitted_at",
        "invalid_reason",
    ):
        by_lot[lot_id].append(
            evaluation.BidInput(
                bid_id=pk,
                manufacturer_id=maker_id,
                product_id=product_id,
                comparison_price=comparison_price,
                supply_capacity=capacity,
                submitted_at=submitted_at,
                invalid_reason=reason or None,
            )
        )
    lot_inputs = [evaluation.LotInput(lot_id=lot.pk, max_price=lot.max_price) for lot in lots]
    results = evaluation.evaluate_tender(lot_inputs, by_lot, rules)
    selected, invalid = [], []
    for result in results.values():
        selected += result.winner_ids
        invalid += [o.bid_id for o in result.outcomes if o.status == evaluation.OutcomeStatus.INVALID]
    # Set-based: every valid bid not selected, then the winners and the bids the rules found invalid.
    opened.exclude(status=Bid.Status.INVALID).update(status=Bid.Status.NOT_SELECTED)
    for ids, status in ((selected, Bid.Status.SELECTED), (invalid, Bid.Status.INVALID)):
        for start in range(0, len(ids), 900):
            Bid.objects.filter(pk__in=ids[start : start + 900]).update(status=status)
    record_history(opened, by=by, reason=rerun_reason.strip() or "评审")
    if current:
        TenderEvaluation.objects.filter(pk=current.pk).update(is_current=False)
    run = TenderEvaluation.objects.create(
        tender=tender,
        run_no=(current.run_no + 1) if current else 1,
        rules=rules.to_dict(),
        inputs={
            "lots": [lot.to_dict() for lot in lot_inputs],
            "bids": {str(k): [b.to_dict() for b in v] for k, v in by_lot.items()},
        },
        outputs={str(k): v.to_dict() for k, v in results.items()},
        reason=rerun_reason.strip(),
        run_by=by,
    )
    record_event(tender, "evaluated", by=by, note=rerun_reason, data={"run_no": run.run_no})
    return run


@transaction.atomic
def tender_award(*, tender: Tender, by) -> list[Award]:
    """Publish the winners: awards, agreed volumes per hospital (commitments) and listings at the awarded price.

    Awards and listings are a few per lot (bulk inserts); the commitments — one per hospital and lot — are computed
    and written by the database (`procurement.sql.awards`), with only the region picks decided here by
    `evaluation.pick_regions`, so they give exactly what `evaluation.allocate` gives."""
    require(by, "tender.manage")
    tender = _lock(tender)
    if tender.status != S.OPENED:
        raise ConflictError(gettext("只有已开标并完成评审的批次可以公布中选结果"), code=TenderError.NOT_OPENED)
    run = tender.evaluations.filter(is_current=True).first()
    if run is None:
        raise ConflictError(gettext("请先完成评审"), code=TenderError.NOT_EVALUATED)
    rules = evaluation.SelectionRules.from_dict(run.rules)
    winner_ids = {lot_id: output["winner_ids"] for lot_id, output in run.outputs.items()}
    bids = {
        b.pk: b
        for b in Bid.objects.filter(pk__in=[i for ids in winner_ids.values() for i in ids]).select_related("product")
    }
    awards: list[Award] = []
    winners_by_lot: dict[int, list[tuple[evaluation.Winner, Award]]] = {}
    for lot_id, ids in winner_ids.items():
        winners = []
        for rank, bid_id in enumerate(ids, start=1):
            bid = bids[bid_id]
            award = Award(
                tender=tender,
                lot_id=int(lot_id),
                bid=bid,
                manufacturer_id=bid.manufacturer_id,
                product=bid.product,
                rank=rank,
                awarded_price=bid.price,
                comparison_price=bid.comparison_price,
            )
            awards.append(award)
            winners.append(
                (
                    evaluation.Winner(
                        manufacturer_id=bid.manufacturer_id,
                        product_id=bid.product_id,
                        awarded_price=bid.price,
                        supply_capacity=bid.supply_capacity,
                    ),
                    award,
                )
            )
        if winners:
            winners_by_lot[int(lot_id)] = winners
    Award.objects.bulk_create(awards, batch_size=1000)
    shares = {lot_id: evaluation.agreed_share(rules, len(w)) for lot_id, w in winners_by_lot.items()}
    region_volumes: dict[int, dict[int, int]] = defaultdict(dict)
    named: dict[int, dict[int, int]] = defaultdict(dict)
    for lot_id, region_id, named_product_id, volume in award_sql.demand_region_volumes(tender.pk, shares):
        if named_product_id is None:
            region_volumes[lot_id][region_id] = volume
        else:
            named[lot_id][named_product_id] = named[lot_id].get(named_product_id, 0) + volume
    picks: dict[int, list[tuple[int, int, str]]] = {}
    for lot_id, volumes in region_volumes.items():
        winners = winners_by_lot[lot_id]
        already = [named[lot_id].get(w.product_id, 0) for w, _ in winners]
        picks[lot_id] = [
            (pick.region_id, winners[pick.winner_rank - 1][1].pk, evaluation.region_pick_text(pick))
            for pick in evaluation.pick_regions([w for w, _ in winners], volumes, rules, already)
        ]
    commitments = award_sql.insert_commitments(tender=tender, shares=shares, picks=picks)
    Listing.objects.bulk_create(
        [
            Listing(
                product=a.product,
                manufacturer_id=a.manufacturer_id,
                unit_price=quantize_unit_price(a.awarded_price),
                pack_price=quantize_amount(a.awarded_price * a.product.pack_size),
                valid_from=tender.cycle_start,
                valid_to=tender.cycle_end,
                source=Listing.Source.TENDER_AWARD,
                award=a,
                approved_by=by,
            )
            for a in awards
        ],
        batch_size=1000,
    )
    record_history(Award.objects.filter(tender=tender), history_type="+", by=by, reason="公布中选结果")
    record_history(Listing.objects.filter(award__tender=tender), history_type="+", by=by, reason="中选产品挂网")
    tender.awarded_at = timezone.now()
    _move(tender, S.AWARDED, by=by, note="公布中选结果", data={"awards": len(awards), "commitments": commitments})
    return awards
