"""A tender's life: create it with its lots and selection rules, start demand collection, cancel, and the
time-driven steps (close demand collection, open bids, start and close execution)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.permissions import require
from common.errors import CommonError, ConflictError, ValidationFailed
from common.models import record_event
from common.numbers import parse_decimal

from ... import evaluation, sealing
from ...errors import TenderError
from ...models import Bid, Lot, Tender
from ...strength import parse_strength
from .imported import confirm_imported
from .opening import open_sealed_bids
from .state import RULES_LOCKED_FROM, S, lock_tender, move_tender, refuse_imported


def parse_price(value, *, field: str = "price", label=None) -> Decimal:
    """A price per minimum unit (a bid's, a lot's max): common.numbers' rules for the price column (never a float, at
    most 4 decimals), and above zero."""
    price = parse_decimal(value, field=field, label=label or gettext_lazy("报价"), column=Bid._meta.get_field("price"))
    if price <= 0:
        raise ValidationFailed(gettext("报价必须大于零"), field=field, code=TenderError.PRICE_NOT_POSITIVE)
    return price


DATE_FIELDS = ("demand_start", "demand_end", "bid_deadline", "opening_at")


def _misordered_date(*values) -> str:
    """The field to blame when the four dates are out of order: at the first broken pair, the earlier field when it
    is also after the date following the pair (it was set too late: a 报量截止 after both 申报截止 and 开标), else the
    later field (set too early)."""
    for i in range(1, len(values)):
        earlier, later = values[i - 1], values[i]
        if (earlier < later) if i == 1 else (earlier <= later):
            continue
        if i + 1 < len(values) and earlier > values[i + 1]:
            return DATE_FIELDS[i - 1]
        return DATE_FIELDS[i]
    return DATE_FIELDS[-1]


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
            field=_misordered_date(demand_start, demand_end, bid_deadline, opening_at),
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
        rules_obj = evaluation.rules_from_dict(rules or {})
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
    refuse_imported(tender, "set_rules")
    tender = lock_tender(tender)
    if tender.status in RULES_LOCKED_FROM:
        raise ConflictError(gettext("申报开始后不能修改中选规则"), code=TenderError.RULES_LOCKED)
    try:
        tender.rules = evaluation.rules_from_dict(rules).to_dict()
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
    refuse_imported(tender, "add_lot")
    tender = lock_tender(tender)
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
    refuse_imported(tender, "start_demand")
    tender = lock_tender(tender)
    if tender.status != S.DRAFT:
        raise ConflictError(
            gettext("当前状态“%(status)s”不能开始报量") % {"status": tender.get_status_display()},
            code=TenderError.WRONG_STATUS,
        )
    if not tender.lots.exists():
        raise ValidationFailed(gettext("至少需要一个品种才能开始报量"), field="lots", code=TenderError.NO_LOTS)
    move_tender(tender, S.DEMAND_COLLECTION, by=by)
    return tender


@transaction.atomic
def tender_cancel(*, tender: Tender, reason: str, by) -> Tender:
    require(by, "tender.manage")
    refuse_imported(tender, "cancel")
    if not (reason or "").strip():
        raise ValidationFailed(gettext("终止采购必须填写原因"), field="reason", code=CommonError.REQUIRED)
    tender = lock_tender(tender)
    if tender.status not in (S.DRAFT, S.DEMAND_COLLECTION, S.BIDDING, S.OPENED):
        raise ConflictError(gettext("中选结果公布后不能终止"), code=TenderError.CANCEL_TOO_LATE)
    tender.cancel_reason = reason.strip()
    move_tender(tender, S.CANCELLED, by=by, note=reason)
    return tender


@transaction.atomic
def tender_refresh(*, tender: Tender, now: datetime | None = None) -> Tender:
    """Make the time-driven steps that are due: close demand collection, open bids, start and close execution.

    Called by the periodic job and on every read, so a tender's status is never stale.
    """
    now = now or timezone.now()
    tender = lock_tender(tender)
    if tender.status == S.DEMAND_COLLECTION and now >= tender.demand_end:
        if tender.origin == Tender.Origin.RESULTS_IMPORT:  # the results came with the batch: no bidding here
            confirm_imported(tender, note="报量截止，按导入的中选结果确定约定采购量")
        else:
            move_tender(tender, S.BIDDING, note="报量截止，自动进入申报")
    if tender.status == S.BIDDING and now >= tender.opening_at:
        open_sealed_bids(tender, now=now, by=None)
    today = timezone.localdate(now)
    if tender.status == S.AWARDED and today >= tender.cycle_start:
        move_tender(tender, S.EXECUTING, note="采购周期开始")
    if tender.status == S.EXECUTING and today > tender.cycle_end:
        move_tender(tender, S.CLOSED, note="采购周期结束")
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
