"""Corrections: a listing's price corrected for receipts already made, and a ledger entry corrected by a new one."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from common.money import quantize_amount, quantize_unit_price, to_decimal

from .. import ledger
from ..errors import SettlementError, ValidationFailed
from ..generation import hold_off_generation, record_price_adjustments
from ..models import JournalEntry, JournalLine, PriceCorrection
from .calendar import parse_date


def _reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写更正原因"), field="reason", code=SettlementError.REASON_REQUIRED)
    return reason


def _corrected_price(unit_price):
    price = to_decimal(unit_price, field="unit_price", column=PriceCorrection._meta.get_field("unit_price"))
    if price <= 0:
        raise ValidationFailed(
            _("更正后单价必须大于 0（收到 %(price)s）") % {"price": unit_price},
            field="unit_price",
            code=SettlementError.PRICE_NOT_POSITIVE,
        )
    if quantize_unit_price(price) != price:
        raise ValidationFailed(_("更正后单价最多四位小数"), field="unit_price", code=SettlementError.TOO_MANY_DECIMALS)
    return price


@transaction.atomic
def price_correction_create(
    *, listing, unit_price, effective_from, effective_to=None, reason: str, by
) -> PriceCorrection:
    """价格更正: a listing's price corrected for receipts already made at the old price, over [effective_from,
    effective_to]. Receipt lines not yet settled are settled at the corrected price. Receipt lines already settled keep
    their statement as it is: each gets a `PriceAdjustment` of the difference, which the manufacturer × hospital's next
    statement settles as a price-adjustment line (`generation.record_price_adjustments`).

    Repeating the listing's latest correction (same period, same price) changes nothing: the existing correction is
    returned and nothing is written; `correction.created` tells the two apart. Corrections of one listing are serialised
    (its row is locked), so two identical requests at once write one correction. Refused while a generation run is
    under way."""
    require(by, "settlement.manage")
    reason = _reason(reason)
    price = _corrected_price(unit_price)
    start = parse_date(effective_from, field="effective_from")
    end = parse_date(effective_to, field="effective_to") if effective_to not in (None, "") else None
    if end is not None and end < start:
        raise ValidationFailed(
            _("截止日期不能早于生效日期"), field="effective_to", code=SettlementError.PERIOD_END_BEFORE_START
        )
    hold_off_generation()
    type(listing).objects.select_for_update().filter(pk=listing.pk).first()
    latest = PriceCorrection.objects.filter(listing=listing).order_by("-pk").first()
    if latest is not None and (latest.effective_from, latest.effective_to, latest.unit_price) == (start, end, price):
        latest.created = False
        return latest
    correction = PriceCorrection.objects.create(
        listing=listing, unit_price=price, effective_from=start, effective_to=end, reason=reason[:300], created_by=by
    )
    record_price_adjustments(correction, recorded_on=timezone.localdate())
    correction.created = True
    return correction


@transaction.atomic
def journal_correction_post(*, corrects: JournalEntry, lines: list[tuple], reason: str, by) -> JournalEntry:
    """A correction is a new balanced entry pointing at the one it corrects (entries are never edited).
    `lines` are (ledger account, signed amount as string or Decimal)."""
    require(by, "settlement.manage")
    reason = _reason(reason)
    parsed = []
    for acc, amount in lines:
        value = to_decimal(amount, field="amount", column=JournalLine._meta.get_field("amount"))
        if quantize_amount(value) != value:
            raise ValidationFailed(
                _("金额 %(amount)s 超过两位小数") % {"amount": amount},
                field="amount",
                code=SettlementError.TOO_MANY_DECIMALS,
            )
        parsed.append((acc, value))
    return ledger.post(
        fund=corrects.fund,
        kind=JournalEntry.Kind.CORRECTION,
        entry_date=timezone.localdate(),
        memo=f"更正凭证 #{corrects.pk}：{reason}",
        lines=parsed,
        by=by,
        statement=corrects.statement,
        corrects=corrects,
    )
