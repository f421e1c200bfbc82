"""Payments to manufacturers: one recorded by a fund officer, or a bank file of them (all or nothing). Never more than
the approved amount still unpaid."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from accounts.permissions import require
from common.money import quantize_amount, to_decimal
from common.uploads import check_upload

from .. import ledger, policies
from ..errors import CommonError, ConflictError, NotFoundError, SettlementError, ValidationFailed
from ..models import JournalEntry, Payment, PaymentImport, SettlementStatement
from .calendar import parse_date
from .statements import lock_statement, record_event

S = SettlementStatement.Status
PAYMENT_HEADERS = ("结算单号", "支付金额", "支付流水号", "支付日期")


def _positive_amount(value, *, field: str = "amount", label: str = gettext_lazy("金额")) -> Decimal:
    amount = to_decimal(value, field=field, column=Payment._meta.get_field("amount"))
    if amount <= 0:
        raise ValidationFailed(
            _("%(label)s必须大于 0（收到 %(value)s）") % {"label": label, "value": value},
            field=field,
            code=SettlementError.AMOUNT_NOT_POSITIVE,
        )
    if quantize_amount(amount) != amount:
        raise ValidationFailed(
            _("%(label)s最多两位小数（收到 %(value)s）") % {"label": label, "value": value},
            field=field,
            code=SettlementError.TOO_MANY_DECIMALS,
        )
    return amount


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
    record_event(
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
            _("结算单 %(number)s 已付清，不能再支付") % {"number": statement.number},
            field="statement",
            code=SettlementError.STATEMENT_PAID,
        )
    if not policies.status_allows(statement, policies.PAY):
        raise ConflictError(
            _("结算单 %(number)s 尚未审核（当前“%(status)s”），不能支付")
            % {"number": statement.number, "status": statement.get_status_display()},
            field="statement",
            code=SettlementError.STATEMENT_NOT_APPROVED,
        )
    outstanding = statement.approved_amount - statement.paid_amount - already
    if amount > outstanding:
        raise ValidationFailed(
            _("支付金额 %(amount)s 超过结算单 %(number)s 未付审核金额 %(outstanding)s")
            % {"amount": amount, "number": statement.number, "outstanding": outstanding},
            field="amount",
            code=SettlementError.PAYMENT_OVER_APPROVED,
        )
    if not reference:
        raise ValidationFailed(
            _("请填写支付流水号"), field="reference", code=SettlementError.PAYMENT_REFERENCE_REQUIRED
        )
    if Payment.objects.filter(statement=statement, reference=reference).exists():
        raise ConflictError(
            _("支付流水号 %(reference)s 已登记过") % {"reference": reference},
            field="reference",
            code=SettlementError.PAYMENT_REFERENCE_DUPLICATE,
        )
    if paid_on > timezone.localdate():
        raise ValidationFailed(_("支付日期不能晚于今天"), field="paid_on", code=SettlementError.PAYMENT_DATE_IN_FUTURE)


@transaction.atomic
def payment_record(*, statement: SettlementStatement, amount, reference: str, paid_on=None, by) -> Payment:
    """Record a payment to the manufacturer (full or partial), never more than the approved amount still unpaid."""
    require(by, "settlement.manage")
    statement = lock_statement(statement)
    value = _positive_amount(amount, label=_("支付金额"))
    day = parse_date(paid_on, field="paid_on") if paid_on not in (None, "") else timezone.localdate()
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


@dataclass
class _FileCheck:
    """What the rows checked so far hold: the statements of the file (locked), the (statement, reference) pairs seen
    and the amounts planned per statement."""

    statements: dict[str, SettlementStatement]
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    planned: dict[str, Decimal] = field(default_factory=dict)


def _row_day(raw) -> date:
    if isinstance(raw, datetime):  # a date cell
        raw = raw.date()
    return parse_date(raw, field="支付日期") if raw not in (None, "") else timezone.localdate()


def _check_row(index: int, row: dict, check: _FileCheck) -> tuple[SettlementStatement, Decimal, str, date]:
    """One row of the bank file, checked against the statement and the rows before it."""
    number = str(row.get("结算单号") or "").strip()
    reference = str(row.get("支付流水号") or "").strip()
    if not number:
        raise ValidationFailed(_("结算单号为空"), field=_("结算单号"), code=SettlementError.STATEMENT_NUMBER_REQUIRED)
    statement = check.statements.get(number)
    if statement is None:
        raise ValidationFailed(
            _("结算单号 %(number)s 不存在") % {"number": number},
            field=_("结算单号"),
            code=SettlementError.STATEMENT_NUMBER_UNKNOWN,
        )
    amount = _positive_amount(row.get("支付金额"), field="支付金额", label="支付金额")
    day = _row_day(row.get("支付日期"))
    key = (number, reference)
    if key in check.seen:
        raise ValidationFailed(
            _("与第 %(seen)s 行重复（同一结算单、同一流水号）") % {"seen": check.seen[key]},
            field=_("支付流水号"),
            code=SettlementError.PAYMENT_ROW_DUPLICATE,
        )
    check.seen[key] = index
    _check_payment(statement, amount, reference, day, already=check.planned.get(number, Decimal("0")))
    check.planned[number] = check.planned.get(number, Decimal("0")) + amount
    return statement, amount, reference, day


def payments_import(*, rows, file_name: str, by, dry_run: bool = False) -> PaymentFileResult:
    """Payments from a bank file (rows of dicts keyed by the headers 结算单号, 支付金额, 支付流水号, 支付日期; row 2 is
    the first data row). All or nothing: any bad row (unknown statement, a line twice, a negative or non-numeric
    amount, more than approved, …) records nothing; the report lists each row with its result, and an error's
    message and code."""
    require(by, "settlement.manage")
    with transaction.atomic():
        numbers = sorted({str(r.get("结算单号") or "").strip() for r in rows})
        locked = SettlementStatement.objects.select_for_update().filter(number__in=numbers).order_by("pk")
        check = _FileCheck(statements={s.number: s for s in locked})
        report: list[dict] = []
        checked: list[tuple[SettlementStatement, Decimal, str, date]] = []
        for index, row in enumerate(rows, start=2):
            entry = {
                "row": index,
                "statement": str(row.get("结算单号") or "").strip(),
                "amount": str(row.get("支付金额") or ""),
                "reference": str(row.get("支付流水号") or "").strip(),
                "result": "ok",
                "message": "",
                "code": "",
            }
            report.append(entry)
            try:
                checked.append(_check_row(index, row, check))
            except (ValidationFailed, ConflictError, NotFoundError) as exc:
                entry.update(result="error", message=exc.message, code=str(exc.code))
            else:
                entry["amount"] = str(checked[-1][1])
        if not rows:
            return PaymentFileResult(ok=False, rows=report, error=_("文件中没有付款记录"))
        total = sum((amount for _, amount, _, _ in checked), Decimal("0.00"))
        errors = sum(1 for r in report if r["result"] == "error")
        if errors or dry_run:
            transaction.set_rollback(True)
            if errors:
                error = _("%(errors)s 行有错误，整个文件未入账") % {"errors": errors}
                return PaymentFileResult(ok=False, rows=report, error=error)
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
    """Rows of an xlsx bank file as dicts keyed by the header row. The upload limits (`common.uploads`) apply; a
    broken file is a clear error."""
    check_upload(uploaded, name=getattr(uploaded, "name", None) or "payments.xlsx")
    try:
        workbook = load_workbook(uploaded, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        raise ValidationFailed(
            _("无法读取文件，请上传 xlsx 格式的银行回单"), field="file", code=CommonError.BAD_FILE
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(rows, [])]
        missing = [h for h in PAYMENT_HEADERS[:3] if h not in header]
        if missing:
            raise ValidationFailed(
                _("缺少表头：%(items)s") % {"items": "、".join(missing)},
                field="file",
                code=SettlementError.PAYMENT_FILE_HEADERS_MISSING,
            )
        return [
            {h: v for h, v in zip(header, values, strict=False) if h}
            for values in rows
            if values is not None and not all(v in (None, "") for v in values)
        ]
    finally:
        workbook.close()
