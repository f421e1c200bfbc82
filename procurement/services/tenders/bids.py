"""Sealed bids: submit, replace, withdraw — by the manufacturer, before the deadline; prices sealed until opening."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.permissions import can
from common.errors import ConflictError, PermissionDeniedError, ValidationFailed
from common.history import record_history
from common.models import record_event
from common.numbers import parse_int

from ... import sealing
from ...errors import TenderError
from ...models import Bid, Lot, Tender
from ...strength import parse_strength
from .lifecycle import parse_price
from .state import S, lock_tender, refuse_imported


def _check_bid_inputs(*, lot: Lot, product, price, supply_capacity, by) -> Decimal:
    if not can(by, "tender.bid"):
        raise PermissionDeniedError(gettext("只有生产企业可以申报"), code=TenderError.NOT_MANUFACTURER)
    if lot.tender.kind == Tender.Kind.CONSUMABLES:
        raise ConflictError(
            gettext("医用耗材批次的申报不能替换，请撤回后重新申报"), code=TenderError.NOT_CONSUMABLE_TENDER
        )
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
    own_cap = lot.tender.origin_detail.get("own_caps", {}).get(lot.number, {}).get(str(by.organization_id))
    if own_cap is not None and price > Decimal(own_cap):  # 接续采购: a former winner, capped at its own price
        raise ValidationFailed(
            gettext("接续采购：原中选企业的报价不得高于其原中选价"), field="price", code=TenderError.PRICE_ABOVE_MAX
        )
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
    tender = lock_tender(lot.tender)
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
    # The bidder's receipt (price and nonce included) lives only on this instance: the answer to the submission gives
    # it to the bidder once; the platform keeps the nonce sealed with the price.
    bid.receipt = sealing.bid_receipt(bid, price=price, nonce=nonce)
    return bid


@transaction.atomic
def bid_submit(*, lot: Lot, product, price, supply_capacity, by) -> Bid:
    refuse_imported(lot.tender, "bid")
    if lot.tender.kind == Tender.Kind.CONSUMABLES:
        # Import here: consumables.bids builds on this module's sealing and locking (a cycle at import time).
        from .consumables.bids import consumable_bid_submit  # noqa: PLC0415

        return consumable_bid_submit(lot=lot, product=product, price=price, supply_capacity=supply_capacity, by=by)
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
    refuse_imported(bid.tender, "bid")
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
    refuse_imported(bid.tender, "bid")
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
