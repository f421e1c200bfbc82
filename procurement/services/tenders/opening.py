"""Opening (开标): decrypt the live bids, verify their digests, compute comparison prices, mark the invalid ones."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.permissions import require
from common.errors import ConflictError
from common.history import record_history

from ... import hooks, sealing
from ...errors import TenderError
from ...models import Bid, Lot, Tender
from ...sql import opening as opening_sql
from ...strength import comparison_unit_price, parse_strength, strength_factor
from .state import S, lock_tender, move_tender, refuse_imported

# A deactivated manufacturer's bids stay sealed until the opening, which marks them invalid with this reason.
INVALID_MAKER_DEACTIVATED = "生产企业已停用"


def open_sealed_bids(tender: Tender, *, now: datetime, by) -> None:
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
    consumable = tender.kind == Tender.Kind.CONSUMABLES
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
        # A consumable lot is matched by class at bidding (services.tenders.consumables), not by generic name.
        if not consumable and (generic != lot.generic_name or (lot.dosage_forms and form not in lot.dosage_forms)):
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
    move_tender(tender, S.OPENED, by=by, note="开标", data={"bids": len(updates)})


@transaction.atomic
def tender_open_bids(*, tender: Tender, by=None, now: datetime | None = None) -> Tender:
    if by is not None:
        require(by, "tender.manage")
    refuse_imported(tender, "open_bids")
    now = now or timezone.now()
    tender = lock_tender(tender)
    if tender.status == S.OPENED:
        return tender
    if tender.status != S.BIDDING:
        raise ConflictError(
            gettext("当前状态“%(status)s”不能开标") % {"status": tender.get_status_display()},
            code=TenderError.WRONG_STATUS,
        )
    if now < tender.opening_at:
        raise ConflictError(gettext("开标时间未到"), code=TenderError.OPENING_NOT_DUE)
    open_sealed_bids(tender, now=now, by=by)
    return tender
