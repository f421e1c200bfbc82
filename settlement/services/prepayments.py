"""预付: the fund advances a hospital part of its annual agreed amount, recovered evenly over the cycle."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.permissions import require
from common import rules
from common.money import quantize_amount, to_decimal
from procurement.models import Commitment

from .. import ledger
from ..errors import ConflictError, SettlementError, ValidationFailed
from ..generation import fund_for_hospital, next_month
from ..models import HospitalScore, JournalEntry, Prepayment


def prepayment_floor(fund_rate: Decimal) -> Decimal:
    """The lowest rate a prepayment may have: the fund's configured rate, and never below the national floor
    (`SETTLEMENT_MIN_PREPAYMENT_RATE`, itself never below the database's 30 %)."""
    return max(fund_rate, rules.settlement().min_prepayment_rate)


def _rate(rate, fund_rate: Decimal) -> Decimal:
    """The rate asked for, or by default the floor; refused below the floor or above 100 %."""
    floor = prepayment_floor(fund_rate)
    if rate in (None, ""):
        return floor
    value = to_decimal(rate, field="rate", column=Prepayment._meta.get_field("rate"))
    if value < floor or value > 1:
        raise ValidationFailed(
            _("预付比例不能低于 %(fund_rate)s（且不超过 100%%），收到 %(value)s")
            % {"fund_rate": f"{floor:.0%}", "value": value},
            field="rate",
            code=SettlementError.PREPAYMENT_RATE_OUT_OF_RANGE,
        )
    return value


def linked_rate(*, hospital, fund, tender) -> Decimal:
    """The hospital's prepayment rate: the one its latest performance score before the cycle linked it to (综合绩效,
    docs/budgets.md), else the fund's; `prepayment_floor` still keeps it at or above the national floor."""
    score = HospitalScore.objects.filter(hospital=hospital, year__lt=tender.cycle_start.year).order_by("-year").first()
    return score.prepayment_rate if score is not None else fund.prepayment_rate


@transaction.atomic
def prepayment_create(
    *, hospital: Organization, tender, by, paid_on: date | None = None, reference: str = "", rate=None
) -> Prepayment:
    """预付: the fund advances the hospital `rate` (≥ the fund's configured rate and the national floor) of its annual
    agreed amount over its commitments of the tender, and books it in the ledger."""
    require(by, "settlement.manage")
    if hospital.kind != Organization.Kind.HOSPITAL:
        raise ValidationFailed(
            _("“%(hospital)s”不是医疗机构") % {"hospital": hospital},
            field="hospital",
            code=SettlementError.NOT_A_HOSPITAL,
        )
    fund = fund_for_hospital(hospital)
    value = _rate(rate, linked_rate(hospital=hospital, fund=fund, tender=tender))
    if Prepayment.objects.filter(hospital=hospital, tender=tender).exists():
        raise ConflictError(
            _("%(hospital)s在“%(tender)s”的预付金已拨付") % {"hospital": hospital, "tender": tender},
            field="tender",
            code=SettlementError.PREPAYMENT_EXISTS,
        )
    agreed = Commitment.objects.filter(hospital=hospital, tender=tender).aggregate(t=Sum("agreed_amount"))["t"]
    if not agreed:
        raise ValidationFailed(
            _("%(hospital)s在“%(tender)s”没有约定采购量，无法预付") % {"hospital": hospital, "tender": tender},
            field="tender",
            code=SettlementError.NO_AGREED_AMOUNT,
        )
    amount = quantize_amount(agreed * value)
    paid_on = paid_on or timezone.localdate()
    entry = ledger.post(
        fund=fund,
        kind=JournalEntry.Kind.PREPAYMENT,
        entry_date=paid_on,
        by=by,
        memo=f"预付 {hospital} {tender.code} 约定金额 {agreed} × {value}",
        lines=[(ledger.hospital_account(fund, hospital.pk), amount), (ledger.bank(fund), -amount)],
    )
    return Prepayment.objects.create(
        fund=fund,
        hospital=hospital,
        tender=tender,
        cycle_start=tender.cycle_start,
        cycle_end=tender.cycle_end,
        agreed_amount=agreed,
        rate=value,
        amount=amount,
        paid_on=paid_on,
        reference=reference[:60],
        journal_entry=entry,
        created_by=by,
    )


def cycle_months(start: date, end: date) -> list[date]:
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = next_month(current)
    return months


def prepayment_offset_schedule(prepayment: Prepayment) -> list[tuple[date, Decimal]]:
    """Offset rule (均摊冲抵): the prepayment is recovered evenly over the cycle's months — each month
    round(amount / months, 2), the last month the remainder — as part of the hospital's monthly deduction."""
    months = cycle_months(prepayment.cycle_start, prepayment.cycle_end)
    share = quantize_amount(prepayment.amount / len(months))
    schedule = [(m, share) for m in months[:-1]]
    schedule.append((months[-1], prepayment.amount - share * (len(months) - 1)))
    return schedule
