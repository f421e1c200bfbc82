"""Monthly deductions: what the fund withholds from each hospital's insurance settlement for a month."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from .. import ledger
from ..generation import next_month
from ..models import HospitalDeduction, JournalEntry, Prepayment, SettlementStatement
from .prepayments import prepayment_offset_schedule


def _prepayment_offsets(fund, month: date, end: date) -> dict[int, Decimal]:
    """Per hospital, the month's share of its prepayments (the offset rule)."""
    offsets: dict[int, Decimal] = {}
    for prepayment in Prepayment.objects.filter(fund=fund, cycle_start__lt=end, cycle_end__gte=month):
        for m, share in prepayment_offset_schedule(prepayment):
            if m == month:
                offsets[prepayment.hospital_id] = offsets.get(prepayment.hospital_id, Decimal("0")) + share
    return offsets


@transaction.atomic
def hospital_deductions_post(*, fund, month: date, by=None) -> list[HospitalDeduction]:
    """Per hospital of the fund, what is withheld from its insurance settlement for the month: the statements approved
    that month plus the month's share of its prepayments (offset rule). Idempotent: a hospital's month is posted once."""
    month = month.replace(day=1)
    end = next_month(month)
    tz = timezone.get_current_timezone()
    start_dt = timezone.make_aware(datetime.combine(month, time.min), tz)
    end_dt = timezone.make_aware(datetime.combine(end, time.min), tz)
    statements = SettlementStatement.objects.filter(
        fund=fund, deduction__isnull=True, approved_at__gte=start_dt, approved_at__lt=end_dt
    ).exclude(approved_amount=0)
    by_hospital: dict[int, Decimal] = {
        row["hospital_id"]: row["total"]
        for row in statements.values("hospital_id").annotate(total=Sum("approved_amount")).order_by()
    }
    offsets = _prepayment_offsets(fund, month, end)
    done = set(
        HospitalDeduction.objects.filter(month=month, hospital_id__in=set(by_hospital) | set(offsets)).values_list(
            "hospital_id", flat=True
        )
    )
    created = []
    for hospital_id in sorted((set(by_hospital) | set(offsets)) - done):
        statements_amount = by_hospital.get(hospital_id, Decimal("0.00"))
        offset = offsets.get(hospital_id, Decimal("0.00"))
        total = statements_amount + offset
        entry = None
        if total != 0:
            entry = ledger.post(
                fund=fund,
                kind=JournalEntry.Kind.DEDUCTION,
                entry_date=min(end - timedelta(days=1), timezone.localdate()),
                by=by,
                memo=f"{month:%Y-%m} 医保结算款扣减：直接结算货款 {statements_amount}，预付金冲抵 {offset}",
                lines=[(ledger.bank(fund), total), (ledger.hospital_account(fund, hospital_id), -total)],
            )
        deduction = HospitalDeduction.objects.create(
            fund=fund,
            hospital_id=hospital_id,
            month=month,
            statements_amount=statements_amount,
            prepayment_offset=offset,
            amount=total,
            journal_entry=entry,
        )
        statements.filter(hospital_id=hospital_id).update(deduction=deduction)
        created.append(deduction)
    return created
