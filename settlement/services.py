"""医保直接结算: every write use case — prepayments, price corrections, the statement workflow (claim, confirm or
dispute, approve, pay), payments from a bank file, the daily deadline check, monthly hospital deductions and ledger
corrections. Generation of statements is in `settlement.generation`.

Each function checks the user's capability and organisation, locks the rows it changes (by pk), raises a domain error
naming the field on a broken rule (nothing is written then), and leaves a `StatementEvent` for each transition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import chinese_calendar
from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Abs
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization
from accounts.permissions import can, is_official, require
from common.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from common.models import Notification
from common.money import quantize_amount, quantize_unit_price, to_decimal
from common.notifications import notify

from . import ledger
from .generation import fund_for_hospital, fund_for_region, hold_off_generation, next_month, record_price_adjustments
from .models import (
    HospitalDeduction,
    JournalEntry,
    JournalLine,
    Payment,
    Prepayment,
    PriceAdjustment,
    PriceCorrection,
    SettledReturn,
    SettlementLine,
    SettlementStatement,
    StatementEvent,
)

S = SettlementStatement.Status
INVOICE_RE = re.compile(r"^[0-9A-Za-z-]{8,30}$")
CONFIRM_WORKING_DAYS = 5
DUE_SOON_DAYS = 5


# --- helpers -----------------------------------------------------------------------------------------------------


def is_working_day(day: date) -> bool:
    """China's working days: the State Council's public holidays are off and its adjusted weekend days (调休) are
    worked, as published each year (the `chinese-calendar` package, 2004 to its latest year); for a year it does not
    know yet, Monday to Friday. `SETTLEMENT_HOLIDAYS` and `SETTLEMENT_WORKDAYS` (ISO dates) override either way, e.g.
    for a newly announced year or a regional holiday."""
    text = day.isoformat()
    if text in getattr(settings, "SETTLEMENT_HOLIDAYS", ()):
        return False
    if text in getattr(settings, "SETTLEMENT_WORKDAYS", ()):
        return True
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year not published in the installed calendar
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start` (see `is_working_day`)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def _lock(statement: SettlementStatement) -> SettlementStatement:
    return SettlementStatement.objects.select_for_update().get(pk=statement.pk)


def _event(statement, action: str, *, by=None, from_status: str = "", reason: str = "", data: dict | None = None):
    StatementEvent.objects.create(
        statement=statement,
        action=action,
        from_status=from_status,
        to_status=statement.status,
        actor=by if getattr(by, "pk", None) else None,
        organization_id=getattr(by, "organization_id", None) if getattr(by, "pk", None) else None,
        reason=reason,
        data=data or {},
    )


def _not_paid(statement: SettlementStatement) -> None:
    if statement.status == S.PAID:
        raise ConflictError(
            _("结算单 %(number)s 已支付，不能修改") % {"number": statement.number}, field="status", code="paid"
        )


def _parse_date(value, *, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("%(field)s“%(value)s”不是有效的日期（YYYY-MM-DD）") % {"field": field, "value": value}, field=field
        ) from None


def _positive_amount(value, *, field: str = "amount", label: str = gettext_lazy("金额")) -> Decimal:
    amount = to_decimal(value, field=field, column=Payment._meta.get_field("amount"))
    if amount <= 0:
        raise ValidationFailed(
            _("%(label)s必须大于 0（收到 %(value)s）") % {"label": label, "value": value}, field=field
        )
    if quantize_amount(amount) != amount:
        raise ValidationFailed(
            _("%(label)s最多两位小数（收到 %(value)s）") % {"label": label, "value": value}, field=field
        )
    return amount


# --- prepayments ---------------------------------------------------------------------------------------------------


@transaction.atomic
def prepayment_create(
    *, hospital: Organization, tender, by, paid_on: date | None = None, reference: str = "", rate=None
) -> Prepayment:
    """预付: the fund advances the hospital `rate` (≥ the fund's configured rate, itself ≥ 30 %) of its annual
    agreed amount over its commitments of the tender, and books it in the ledger."""
    require(by, "settlement.manage")
    from procurement.models import Commitment

    if hospital.kind != Organization.Kind.HOSPITAL:
        raise ValidationFailed(_("“%(hospital)s”不是医疗机构") % {"hospital": hospital}, field="hospital")
    fund = fund_for_hospital(hospital)
    fund_rate = fund.prepayment_rate
    value = (
        fund_rate if rate in (None, "") else to_decimal(rate, field="rate", column=Prepayment._meta.get_field("rate"))
    )
    if value < fund_rate or value < Decimal("0.3") or value > 1:
        raise ValidationFailed(
            _("预付比例不能低于 %(fund_rate)s（且不超过 100%%），收到 %(value)s")
            % {"fund_rate": f"{fund_rate:.0%}", "value": value},
            field="rate",
        )
    if Prepayment.objects.filter(hospital=hospital, tender=tender).exists():
        raise ConflictError(
            _("%(hospital)s在“%(tender)s”的预付金已拨付") % {"hospital": hospital, "tender": tender}, field="tender"
        )
    agreed = Commitment.objects.filter(hospital=hospital, tender=tender).aggregate(t=Sum("agreed_amount"))["t"]
    if not agreed:
        raise ValidationFailed(
            _("%(hospital)s在“%(tender)s”没有约定采购量，无法预付") % {"hospital": hospital, "tender": tender},
            field="tender",
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


# --- price corrections -----------------------------------------------------------------------------------------------


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
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写更正原因"), field="reason")
    price = to_decimal(unit_price, field="unit_price", column=PriceCorrection._meta.get_field("unit_price"))
    if price <= 0:
        raise ValidationFailed(_("更正后单价必须大于 0（收到 %(price)s）") % {"price": unit_price}, field="unit_price")
    if quantize_unit_price(price) != price:
        raise ValidationFailed(_("更正后单价最多四位小数"), field="unit_price")
    start = _parse_date(effective_from, field="effective_from")
    end = _parse_date(effective_to, field="effective_to") if effective_to not in (None, "") else None
    if end is not None and end < start:
        raise ValidationFailed(_("截止日期不能早于生效日期"), field="effective_to")
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


# --- the statement workflow --------------------------------------------------------------------------------------


def _parse_invoices(invoice_numbers) -> list[str]:
    if isinstance(invoice_numbers, str):
        invoice_numbers = re.split(r"[\s,，;；]+", invoice_numbers)
    numbers = [str(n).strip() for n in (invoice_numbers or []) if str(n).strip()]
    if not numbers:
        raise ValidationFailed(_("请填写发票号"), field="invoice_numbers")
    for number in numbers:
        if not INVOICE_RE.match(number):
            raise ValidationFailed(
                _("发票号“%(number)s”格式不正确（8–30 位数字或字母）") % {"number": number}, field="invoice_numbers"
            )
    if len(set(numbers)) != len(numbers):
        raise ValidationFailed(_("发票号重复"), field="invoice_numbers")
    return numbers


def _own_statement(statement: SettlementStatement, by, role_field: str) -> None:
    """Another organisation's statement is simply not found."""
    if getattr(statement, f"{role_field}_id") != getattr(by, "organization_id", None):
        raise NotFoundError(_("结算单不存在"), field="statement")


def ensure_may_claim(statement: SettlementStatement, by) -> None:
    """Who claims a statement: its manufacturer's user, or for a deactivated manufacturer a fund officer (who acts
    for it). The API asks before reading the body, so a denied request is a denial, not a list of field errors."""
    if can(by, "settlement.manage") and not can(by, "settlement.claim"):
        if statement.manufacturer.is_active:
            raise PermissionDeniedError(_("基金经办只能为已停用的生产企业代为申报；在用企业由企业自行申报"))
        return
    require(by, "settlement.claim")
    _own_statement(statement, by, "manufacturer")


def _lock_claimable(statement: SettlementStatement, by) -> SettlementStatement:
    if not can(by, "settlement.manage"):
        require(by, "settlement.claim")  # refused before any lock is taken
    statement = _lock(statement)
    ensure_may_claim(statement, by)
    return statement


def _recompute(statement: SettlementStatement) -> None:
    totals = statement.lines.aggregate(
        gross=Sum("gross_amount"),
        returned=Sum("returned_amount"),
        correction=Sum("correction_amount"),
        # the money in question: a disputed credit line (a return or a price cut, negative) counts by its size, so
        # that disputing a credit and a charge of the same size reads as twice the sum, not as nothing
        net=Sum("amount"),
        disputed=Sum(Abs("amount"), filter=Q(disputed=True)),
    )
    statement.line_count = statement.lines.count()
    statement.gross_amount = totals["gross"] or 0
    statement.returned_amount = totals["returned"] or 0
    statement.correction_amount = totals["correction"] or 0
    statement.amount = totals["net"] or 0
    statement.disputed_amount = totals["disputed"] or 0


@transaction.atomic
def statement_claim(
    *, statement: SettlementStatement, by, invoice_numbers, drop_line_ids=(), response: str = ""
) -> SettlementStatement:
    """企业申报: the manufacturer claims the statement with its invoice numbers (by the 5th of the next month; a later
    claim is marked late). After a dispute it may drop disputed lines (their receipts go to a later statement) or
    keep them with a response.

    A deactivated manufacturer's users can no longer act: a fund officer claims for it, with the invoices it handed
    in, so that what the fund owes it is still paid."""
    statement = _lock_claimable(statement, by)
    _not_paid(statement)
    if statement.status != S.DRAFT:
        raise ConflictError(
            _("结算单 %(number)s 当前状态“%(status)s”，不能申报")
            % {"number": statement.number, "status": statement.get_status_display()},
            field="status",
        )
    numbers = _parse_invoices(invoice_numbers)
    drop = {int(i) for i in drop_line_ids or []}
    lines = {line.pk: line for line in statement.lines.all()}
    unknown = drop - set(lines)
    if unknown:
        raise ValidationFailed(_("明细 %(value)s 不属于该结算单") % {"value": sorted(unknown)}, field="drop_line_ids")
    not_disputed = [i for i in drop if not lines[i].disputed]
    if not_disputed:
        raise ValidationFailed(
            _("只能撤回有争议的明细（明细 %(value)s 无争议）") % {"value": sorted(not_disputed)}, field="drop_line_ids"
        )
    credits = sorted(i for i in drop if lines[i].amount < 0)
    if credits:
        # dropping a line defers it to a later statement: for a credit that would pay the manufacturer more now
        raise ValidationFailed(
            _("明细 %(value)s 为冲减（负数）明细，不能撤回；请答复后保留，金额如有误由价格更正处理")
            % {"value": credits},
            field="drop_line_ids",
        )
    if drop and len(drop) == len(lines):
        raise ValidationFailed(_("不能撤回全部明细；结算单至少保留一条明细"), field="drop_line_ids")
    if drop:
        dropped = [lines[i] for i in drop]
        _release_price_adjustments(
            statement, [ln.receipt_line_id for ln in dropped if ln.kind == SettlementLine.Kind.RECEIPT]
        )
        SettledReturn.objects.filter(
            statement=statement, receipt_line_id__in=[ln.receipt_line_id for ln in dropped if ln.kind == "receipt"]
        ).delete()
        SettledReturn.objects.filter(
            return_line_id__in=[ln.return_line_id for ln in dropped if ln.return_line_id]
        ).delete()
        SettlementLine.objects.filter(pk__in=drop).delete()
    statement.lines.filter(disputed=True).update(disputed=False, response=(response or "企业坚持申报")[:300])
    _recompute(statement)
    today = timezone.localdate()
    before = statement.status
    statement.claim()
    statement.invoice_numbers = numbers
    statement.claimed_at = timezone.now()
    statement.claimed_by = by
    statement.claimed_late = today > statement.claim_due_on
    statement.confirm_due_on = add_working_days(today, CONFIRM_WORKING_DAYS)
    statement.version += 1
    statement.save()
    _event(
        statement,
        "claimed",
        by=by,
        from_status=before,
        reason=response,
        data={"invoice_numbers": numbers, "dropped_lines": sorted(drop), "late": statement.claimed_late},
    )
    return statement


def _release_price_adjustments(statement: SettlementStatement, receipt_line_ids: list[int]) -> None:
    """A receipt line dropped from its statement is settled again later, at the corrected price: the price adjustments
    recorded against this statement for it are void — unless one is already in another statement (refused)."""
    adjustments = PriceAdjustment.objects.filter(statement=statement, receipt_line_id__in=receipt_line_ids)
    taken = SettlementLine.objects.filter(price_adjustment__in=adjustments).select_related("statement").first()
    if taken is not None:
        raise ConflictError(
            _("验收明细 %(line)s 的价格更正已计入结算单 %(number)s，不能撤回")
            % {"line": taken.receipt_line_id, "number": taken.statement.number},
            field="drop_line_ids",
        )
    adjustments.delete()


@transaction.atomic
def statement_update_invoices(*, statement: SettlementStatement, by, invoice_numbers) -> SettlementStatement:
    """The manufacturer corrects its invoice numbers before the hospital confirms."""
    require(by, "settlement.claim")
    statement = _lock(statement)
    _own_statement(statement, by, "manufacturer")
    _not_paid(statement)
    if statement.status not in (S.DRAFT, S.CLAIMED):
        raise ConflictError(_("医疗机构确认后不能修改发票号"), field="status")
    old = statement.invoice_numbers
    statement.invoice_numbers = _parse_invoices(invoice_numbers)
    statement.version += 1
    statement.save(update_fields=["invoice_numbers", "version"])
    _event(
        statement,
        "invoices_changed",
        by=by,
        from_status=statement.status,
        data={"old": old, "new": statement.invoice_numbers},
    )
    return statement


@transaction.atomic
def statement_review(*, statement: SettlementStatement, by, disputes: dict | None = None) -> SettlementStatement:
    """医疗机构确认: with no disputes the hospital confirms the statement; disputed lines (each with a reason) send it
    back to the manufacturer."""
    require(by, "settlement.confirm")
    statement = _lock(statement)
    _own_statement(statement, by, "hospital")
    _not_paid(statement)
    if statement.status != S.CLAIMED:
        raise ConflictError(
            _("结算单 %(number)s 当前状态“%(status)s”，不能确认")
            % {"number": statement.number, "status": statement.get_status_display()},
            field="status",
        )
    disputes = {int(k): (v or "").strip() for k, v in (disputes or {}).items()}
    before = statement.status
    if not disputes:
        statement.confirm()
        statement.confirmed_at = timezone.now()
        statement.confirmed_by = by
        statement.version += 1
        statement.save()
        _event(statement, "confirmed", by=by, from_status=before)
        return statement
    line_ids = set(statement.lines.values_list("pk", flat=True))
    unknown = set(disputes) - line_ids
    if unknown:
        raise ValidationFailed(_("明细 %(value)s 不属于该结算单") % {"value": sorted(unknown)}, field="disputes")
    missing = sorted(pk for pk, reason in disputes.items() if not reason)
    if missing:
        raise ValidationFailed(_("请填写明细 %(missing)s 的争议原因") % {"missing": missing}, field="disputes")
    for pk, reason in disputes.items():
        SettlementLine.objects.filter(pk=pk).update(disputed=True, dispute_reason=reason[:300], response="")
    _recompute(statement)
    statement.send_back()
    statement.version += 1
    statement.save()
    _event(
        statement,
        "disputed",
        by=by,
        from_status=before,
        reason="；".join(disputes.values()),
        data={"lines": {str(k): v for k, v in disputes.items()}},
    )
    return statement


def _approve_one(statement: SettlementStatement, by) -> SettlementStatement:
    _not_paid(statement)
    if statement.status != S.HOSPITAL_CONFIRMED:
        raise ConflictError(
            _("结算单 %(number)s 尚未经医疗机构确认（当前“%(status)s”），不能审核")
            % {"number": statement.number, "status": statement.get_status_display()},
            field="status",
            code="not_confirmed",
        )
    before = statement.status
    statement.approve()
    statement.approved_amount = statement.amount
    statement.approved_at = timezone.now()
    statement.approved_by = by
    statement.version += 1
    statement.save()
    fund = statement.fund
    if statement.amount != 0:
        ledger.post(
            fund=fund,
            kind=JournalEntry.Kind.APPROVAL,
            entry_date=timezone.localdate(),
            by=by,
            statement=statement,
            memo=f"结算单 {statement.number} 审核：代{statement.hospital}应付{statement.manufacturer}",
            lines=[
                (ledger.hospital_account(fund, statement.hospital_id), statement.amount),
                (ledger.manufacturer_account(fund, statement.manufacturer_id), -statement.amount),
            ],
        )
    _event(statement, "approved", by=by, from_status=before, data={"amount": str(statement.amount)})
    if statement.amount <= 0:
        # Nothing to pay (returns exceeded receipts): closed at once, the credit stays in the manufacturer's account.
        statement.pay_fully()
        statement.paid_at = timezone.now()
        statement.save()
        _event(statement, "paid", by=by, from_status=S.APPROVED, reason="结算金额不大于 0，无需支付")
    return statement


@transaction.atomic
def statement_approve(*, statement: SettlementStatement, by) -> SettlementStatement:
    require(by, "settlement.manage")
    return _approve_one(_lock(statement), by)


@transaction.atomic
def statements_approve(*, statement_ids, by) -> list[SettlementStatement]:
    """Bulk approval: all the statements or none (the error names the first one that cannot be approved)."""
    require(by, "settlement.manage")
    ids = sorted({int(i) for i in statement_ids or []})
    if not ids:
        raise ValidationFailed(_("请选择要审核的结算单"), field="statement_ids")
    locked = list(SettlementStatement.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    missing = set(ids) - {s.pk for s in locked}
    if missing:
        raise NotFoundError(_("结算单 %(value)s 不存在") % {"value": sorted(missing)}, field="statement_ids")
    return [_approve_one(s, by) for s in locked]


def _apply_payment(
    statement: SettlementStatement, *, amount: Decimal, reference: str, paid_on: date, by, payment_import=None
) -> Payment:
    fund = statement.fund
    entry = ledger.post(
        fund=fund,
        kind=JournalEntry.Kind.PAYMENT,
        entry_date=paid_on,
        by=by,
        statement=statement,
        memo=f"支付 {statement.manufacturer} 结算单 {statement.number}（{reference}）",
        lines=[(ledger.manufacturer_account(fund, statement.manufacturer_id), amount), (ledger.bank(fund), -amount)],
    )
    payment = Payment.objects.create(
        statement=statement,
        amount=amount,
        reference=reference,
        paid_on=paid_on,
        payment_import=payment_import,
        journal_entry=entry,
        recorded_by=by,
    )
    before = statement.status
    statement.paid_amount += amount
    if statement.paid_amount == statement.approved_amount:
        statement.pay_fully()
        statement.paid_at = timezone.now()
        statement.overdue = False
        statement.due_soon = False
    else:
        statement.pay_partly()
    statement.version += 1
    statement.save()
    _event(
        statement,
        "paid" if statement.status == S.PAID else "partially_paid",
        by=by,
        from_status=before,
        data={"amount": str(amount), "reference": reference, "paid_on": paid_on.isoformat()},
    )
    return payment


def _check_payment(
    statement: SettlementStatement, amount: Decimal, reference: str, paid_on: date, already: Decimal = Decimal("0")
) -> None:
    if statement.status == S.PAID:
        raise ConflictError(
            _("结算单 %(number)s 已付清，不能再支付") % {"number": statement.number}, field="statement", code="paid"
        )
    if statement.status not in SettlementStatement.PAYABLE_STATUSES:
        raise ConflictError(
            _("结算单 %(number)s 尚未审核（当前“%(status)s”），不能支付")
            % {"number": statement.number, "status": statement.get_status_display()},
            field="statement",
        )
    outstanding = statement.approved_amount - statement.paid_amount - already
    if amount > outstanding:
        raise ValidationFailed(
            _("支付金额 %(amount)s 超过结算单 %(number)s 未付审核金额 %(outstanding)s")
            % {"amount": amount, "number": statement.number, "outstanding": outstanding},
            field="amount",
            code="over_approved",
        )
    if not reference:
        raise ValidationFailed(_("请填写支付流水号"), field="reference")
    if Payment.objects.filter(statement=statement, reference=reference).exists():
        raise ConflictError(_("支付流水号 %(reference)s 已登记过") % {"reference": reference}, field="reference")
    if paid_on > timezone.localdate():
        raise ValidationFailed(_("支付日期不能晚于今天"), field="paid_on")


@transaction.atomic
def payment_record(*, statement: SettlementStatement, amount, reference: str, paid_on=None, by) -> Payment:
    """Record a payment to the manufacturer (full or partial), never more than the approved amount still unpaid."""
    require(by, "settlement.manage")
    statement = _lock(statement)
    value = _positive_amount(amount, label=_("支付金额"))
    day = _parse_date(paid_on, field="paid_on") if paid_on not in (None, "") else timezone.localdate()
    reference = (reference or "").strip()[:60]
    _check_payment(statement, value, reference, day)
    return _apply_payment(statement, amount=value, reference=reference, paid_on=day, by=by)


# --- payments from a bank file ------------------------------------------------------------------------------------


@dataclass
class PaymentFileResult:
    ok: bool
    rows: list[dict] = field(default_factory=list)
    error: str = ""
    payment_import: object = None
    total: Decimal = Decimal("0.00")


PAYMENT_HEADERS = ("结算单号", "支付金额", "支付流水号", "支付日期")


def payments_import(*, rows, file_name: str, by, dry_run: bool = False) -> PaymentFileResult:
    """Payments from a bank file (rows of dicts keyed by the headers 结算单号, 支付金额, 支付流水号, 支付日期; row 2 is
    the first data row). All or nothing: any bad row (unknown statement, a line twice, a negative or non-numeric
    amount, more than approved, …) records nothing; the report lists each row with its result."""
    require(by, "settlement.manage")
    from .models import PaymentImport

    with transaction.atomic():
        report: list[dict] = []
        seen: dict[tuple[str, str], int] = {}
        planned: dict[str, Decimal] = {}
        statements: dict[str, SettlementStatement] = {}
        checked: list[tuple[SettlementStatement, Decimal, str, date]] = []
        numbers = sorted({str(r.get("结算单号") or "").strip() for r in rows})
        for s in SettlementStatement.objects.select_for_update().filter(number__in=numbers).order_by("pk"):
            statements[s.number] = s
        total = Decimal("0.00")
        for index, row in enumerate(rows, start=2):
            number = str(row.get("结算单号") or "").strip()
            reference = str(row.get("支付流水号") or "").strip()
            entry = {
                "row": index,
                "statement": number,
                "amount": str(row.get("支付金额") or ""),
                "reference": reference,
                "result": "ok",
                "message": "",
            }
            report.append(entry)
            try:
                if not number:
                    raise ValidationFailed(_("结算单号为空"), field=_("结算单号"))
                statement = statements.get(number)
                if statement is None:
                    raise ValidationFailed(_("结算单号 %(number)s 不存在") % {"number": number}, field=_("结算单号"))
                amount = _positive_amount(row.get("支付金额"), field="支付金额", label="支付金额")
                raw_day = row.get("支付日期")
                if hasattr(raw_day, "date") and not isinstance(raw_day, date):
                    raw_day = raw_day.date()
                if hasattr(raw_day, "hour"):
                    raw_day = raw_day.date()
                day = _parse_date(raw_day, field="支付日期") if raw_day not in (None, "") else timezone.localdate()
                key = (number, reference)
                if key in seen:
                    raise ValidationFailed(
                        _("与第 %(seen)s 行重复（同一结算单、同一流水号）") % {"seen": seen[key]}, field=_("支付流水号")
                    )
                seen[key] = index
                _check_payment(statement, amount, reference, day, already=planned.get(number, Decimal("0")))
                planned[number] = planned.get(number, Decimal("0")) + amount
                total += amount
                entry["amount"] = str(amount)
                checked.append((statement, amount, reference, day))
            except (ValidationFailed, ConflictError, NotFoundError) as exc:
                entry["result"] = "error"
                entry["message"] = exc.message
        if not rows:
            return PaymentFileResult(ok=False, rows=report, error=_("文件中没有付款记录"))
        errors = sum(1 for r in report if r["result"] == "error")
        if errors:
            transaction.set_rollback(True)
            return PaymentFileResult(
                ok=False, rows=report, error=_("%(errors)s 行有错误，整个文件未入账") % {"errors": errors}
            )
        if dry_run:
            transaction.set_rollback(True)
            return PaymentFileResult(ok=True, rows=report, total=total)
        batch = PaymentImport.objects.create(
            file_name=file_name[:200],
            status=PaymentImport.Status.APPLIED,
            row_count=len(rows),
            total=total,
            report=report,
            uploaded_by=by,
        )
        for statement, amount, reference, day in checked:
            _apply_payment(statement, amount=amount, reference=reference, paid_on=day, by=by, payment_import=batch)
        return PaymentFileResult(ok=True, rows=report, payment_import=batch, total=total)


def read_payment_file(uploaded) -> list[dict]:
    """Rows of an xlsx bank file as dicts keyed by the header row; a broken file is a clear error."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(uploaded, read_only=True, data_only=True)
    except Exception:
        raise ValidationFailed(_("无法读取文件，请上传 xlsx 格式的银行回单"), field="file") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, [])]
    missing = [h for h in PAYMENT_HEADERS[:3] if h not in header]
    if missing:
        raise ValidationFailed(_("缺少表头：%(items)s") % {"items": "、".join(missing)}, field="file")
    result = []
    for values in rows:
        if values is None or all(v in (None, "") for v in values):
            continue
        result.append({h: v for h, v in zip(header, values, strict=False) if h})
    workbook.close()
    return result


# --- daily deadline check -------------------------------------------------------------------------------------------


@transaction.atomic
def settlements_daily_check(*, today: date | None = None) -> dict:
    """Daily: statements a hospital has not confirmed within 5 working days are deemed confirmed; statements and
    lines unpaid past their 30-day deadline are flagged overdue, those due within 5 days due-soon."""
    today = today or timezone.localdate()
    auto = 0
    for statement in (
        SettlementStatement.objects.select_for_update()
        .filter(status=S.CLAIMED, confirm_due_on__lt=today)
        .order_by("pk")
    ):
        statement.confirm()
        statement.confirmed_at = timezone.now()
        statement.auto_confirmed = True
        statement.save()
        _event(statement, "auto_confirmed", from_status=S.CLAIMED, reason="医疗机构逾期未确认，视同确认")
        auto += 1
    unpaid = ~Q(status=S.PAID)
    SettlementStatement.objects.filter(status=S.PAID).filter(Q(overdue=True) | Q(due_soon=True)).update(
        overdue=False, due_soon=False
    )
    overdue = SettlementStatement.objects.filter(unpaid, payment_due_on__lt=today)
    newly = list(overdue.filter(overdue=False).select_related("hospital", "manufacturer"))
    newly_overdue = len(newly)
    _notify_overdue(newly)
    _notify_confirm_due(today)
    overdue.exclude(overdue=True, due_soon=False).update(overdue=True, due_soon=False)
    soon = SettlementStatement.objects.filter(
        unpaid, payment_due_on__gte=today, payment_due_on__lte=today + timedelta(days=DUE_SOON_DAYS)
    )
    soon.exclude(overdue=False, due_soon=True).update(overdue=False, due_soon=True)
    SettlementStatement.objects.filter(unpaid, payment_due_on__gt=today + timedelta(days=DUE_SOON_DAYS)).filter(
        Q(overdue=True) | Q(due_soon=True)
    ).update(overdue=False, due_soon=False)
    SettlementLine.objects.filter(overdue=False, due_on__lt=today).exclude(statement__status=S.PAID).update(
        overdue=True
    )
    SettlementLine.objects.filter(overdue=True, statement__status=S.PAID).update(overdue=False)
    return {
        "auto_confirmed": auto,
        "newly_overdue": newly_overdue,
        "overdue": overdue.count(),
        "due_soon": soon.count(),
    }


def _notify_overdue(statements) -> None:
    """逾期未付: the payee manufacturer and the fund's officers hear of each statement once."""
    agencies = list(Organization.objects.filter(kind=Organization.Kind.AGENCY).values_list("pk", flat=True))
    for s in statements:
        title = f"结算单 {s.number} 逾期未付（应付日 {s.payment_due_on:%Y-%m-%d}）"
        body = f"{s.hospital} → {s.manufacturer}，结算金额 ¥{s.amount:,.2f}，已付 ¥{s.paid_amount:,.2f}。"
        link = reverse("settlement:detail", args=[s.pk])
        for org_id in (s.manufacturer_id, *agencies):
            notify(
                org_id,
                "overdue_payment",
                title,
                body=body,
                link=link,
                level=Notification.Level.WARNING,
                topic=f"overdue:{s.pk}",
            )


def _notify_confirm_due(today: date) -> None:
    """截止提醒: a hospital is reminded once of a claimed statement it must confirm within 2 days."""
    for s in SettlementStatement.objects.filter(
        status=S.CLAIMED, confirm_due_on__gte=today, confirm_due_on__lte=today + timedelta(days=2)
    ):
        notify(
            s.hospital_id,
            "deadline",
            f"请于 {s.confirm_due_on:%Y-%m-%d} 前确认结算单 {s.number}",
            body="逾期未确认的结算单视同确认。",
            link=reverse("settlement:detail", args=[s.pk]),
            level=Notification.Level.WARNING,
            topic=f"confirm_due:{s.pk}",
        )


# --- monthly deductions from hospitals ------------------------------------------------------------------------------


@transaction.atomic
def hospital_deductions_post(*, fund, month: date, by=None) -> list[HospitalDeduction]:
    """Per hospital of the fund, what is withheld from its insurance settlement for the month: the statements approved
    that month plus the month's share of its prepayments (offset rule). Idempotent: a hospital's month is posted once."""
    month = month.replace(day=1)
    end = next_month(month)
    tz = timezone.get_current_timezone()
    from datetime import datetime, time

    start_dt = timezone.make_aware(datetime.combine(month, time.min), tz)
    end_dt = timezone.make_aware(datetime.combine(end, time.min), tz)
    statements = SettlementStatement.objects.filter(
        fund=fund, deduction__isnull=True, approved_at__gte=start_dt, approved_at__lt=end_dt
    ).exclude(approved_amount=0)
    by_hospital: dict[int, Decimal] = {
        row["hospital_id"]: row["total"]
        for row in statements.values("hospital_id").annotate(total=Sum("approved_amount")).order_by()
    }
    offsets: dict[int, Decimal] = {}
    for prepayment in Prepayment.objects.filter(fund=fund, cycle_start__lt=end, cycle_end__gte=month):
        for m, share in prepayment_offset_schedule(prepayment):
            if m == month:
                offsets[prepayment.hospital_id] = offsets.get(prepayment.hospital_id, Decimal("0")) + share
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


# --- ledger corrections ------------------------------------------------------------------------------------------


@transaction.atomic
def journal_correction_post(*, corrects: JournalEntry, lines: list[tuple], reason: str, by) -> JournalEntry:
    """A correction is a new balanced entry pointing at the one it corrects (entries are never edited).
    `lines` are (ledger account, signed amount as string or Decimal)."""
    require(by, "settlement.manage")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写更正原因"), field="reason")
    parsed = []
    for acc, amount in lines:
        value = to_decimal(amount, field="amount", column=JournalLine._meta.get_field("amount"))
        if quantize_amount(value) != value:
            raise ValidationFailed(_("金额 %(amount)s 超过两位小数") % {"amount": amount}, field="amount")
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


# --- generation on demand (officers) -------------------------------------------------------------------------------


def statements_generate(*, month, region=None, by, progress=None):
    require(by, "settlement.manage")
    from .generation import generate_statements

    return generate_statements(month=month, region=region, progress=progress)


def ensure_fund_for(region):
    return fund_for_region(region)


def check_view(user) -> None:
    if not (can(user, "settlement.view") or is_official(user)):
        raise PermissionDeniedError(_("您没有查看结算的权限"))
