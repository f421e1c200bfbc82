"""The statement workflow: the manufacturer claims (with its invoice numbers), the hospital confirms or disputes line
by line, the fund approves (one or in bulk); generation on demand. Which status allows which step is
`settlement.policies.STATUSES`."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Abs
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can, require
from common import rules
from common.numbers import parse_id

from .. import policies
from ..errors import ConflictError, NotFoundError, PermissionDeniedError, SettlementError, ValidationFailed
from ..generation import generate_statements
from ..models import PriceAdjustment, SettledReturn, SettlementLine, SettlementStatement, StatementEvent
from .calendar import add_working_days

S = SettlementStatement.Status
INVOICE_RE = re.compile(r"^[0-9A-Za-z-]{8,30}$")


def lock_statement(statement: SettlementStatement) -> SettlementStatement:
    return SettlementStatement.objects.select_for_update().get(pk=statement.pk)


def record_event(
    statement, action: str, *, by=None, from_status: str = "", reason: str = "", data: dict | None = None
) -> None:
    """The audit row of a step: who (user and organisation), when, from which status to which, why."""
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


def ensure_not_paid(statement: SettlementStatement, *, field: str = "status") -> None:
    if statement.status == S.PAID:
        raise ConflictError(
            _("结算单 %(number)s 已支付，不能修改") % {"number": statement.number},
            field=field,
            code=SettlementError.STATEMENT_PAID,
        )


def _ensure_status(statement: SettlementStatement, action: str, message: str, code: SettlementError) -> None:
    """The statement's status allows the step (`policies.STATUSES`); else the step's own message and code."""
    if not policies.status_allows(statement, action):
        raise ConflictError(
            message % {"number": statement.number, "status": statement.get_status_display()}, field="status", code=code
        )


def _parse_invoices(invoice_numbers) -> list[str]:
    if isinstance(invoice_numbers, str):
        invoice_numbers = re.split(r"[\s,，;；]+", invoice_numbers)
    numbers = [str(n).strip() for n in (invoice_numbers or []) if str(n).strip()]
    if not numbers:
        raise ValidationFailed(_("请填写发票号"), field="invoice_numbers", code=SettlementError.INVOICE_REQUIRED)
    for number in numbers:
        if not INVOICE_RE.match(number):
            raise ValidationFailed(
                _("发票号“%(number)s”格式不正确（8–30 位数字或字母）") % {"number": number},
                field="invoice_numbers",
                code=SettlementError.INVOICE_INVALID,
            )
    if len(set(numbers)) != len(numbers):
        raise ValidationFailed(_("发票号重复"), field="invoice_numbers", code=SettlementError.INVOICE_DUPLICATE)
    return numbers


def _own_statement(statement: SettlementStatement, by, role_field: str) -> None:
    """Another organisation's statement is simply not found."""
    if getattr(statement, f"{role_field}_id") != getattr(by, "organization_id", None):
        raise NotFoundError(_("结算单不存在"), field="statement", code=SettlementError.STATEMENT_NOT_FOUND)


def ensure_may_claim(statement: SettlementStatement, by) -> None:
    """Who claims a statement (`policies.role_allows`), with the reason when not: its manufacturer's user, or for a
    deactivated manufacturer a fund officer (who acts for it). The API asks before reading the body, so a denied
    request is a denial, not a list of field errors."""
    if policies.acts_for_manufacturer(by):
        if statement.manufacturer.is_active:
            raise PermissionDeniedError(
                _("基金经办只能为已停用的生产企业代为申报；在用企业由企业自行申报"),
                code=SettlementError.CLAIM_FOR_ACTIVE_MANUFACTURER,
            )
        return
    require(by, "settlement.claim")
    _own_statement(statement, by, "manufacturer")


def _lock_claimable(statement: SettlementStatement, by) -> SettlementStatement:
    if not can(by, "settlement.manage"):
        require(by, "settlement.claim")  # refused before any lock is taken
    statement = lock_statement(statement)
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


def _line_names(lines: dict[int, SettlementLine], ids) -> str:
    """The lines as people see them on the statement: product and day of receipt ("阿托伐他汀钙片 20mg（2026-11-03 验收）")."""
    return "、".join(
        _("%(product)s（%(day)s 验收）") % {"product": lines[i].product, "day": f"{lines[i].received_on:%Y-%m-%d}"}
        for i in sorted(ids)
    )


def _lines_to_drop(statement: SettlementStatement, drop_line_ids) -> dict[int, SettlementLine]:
    """The disputed lines the manufacturer drops (each a line of this statement, disputed, not a credit; not all)."""
    drop = {parse_id(i, field="drop_line_ids") for i in drop_line_ids or []}
    lines = {line.pk: line for line in statement.lines.select_related("product")}
    field = "drop_line_ids"
    unknown = drop - set(lines)
    if unknown:
        raise ValidationFailed(
            _("明细 %(value)s 不属于该结算单") % {"value": "、".join(map(str, sorted(unknown)))},
            field=field,
            code=SettlementError.LINE_NOT_IN_STATEMENT,
        )
    not_disputed = [i for i in drop if not lines[i].disputed]
    if not_disputed:
        raise ValidationFailed(
            _("只能撤回有争议的明细（%(value)s 无争议）") % {"value": _line_names(lines, not_disputed)},
            field=field,
            code=SettlementError.LINE_NOT_DISPUTED,
        )
    credits = sorted(i for i in drop if lines[i].amount < 0)
    if credits:
        # dropping a line defers it to a later statement: for a credit that would pay the manufacturer more now
        raise ValidationFailed(
            _("%(value)s 为冲减（负数）明细，不能撤回；请答复后保留，金额如有误由价格更正处理")
            % {"value": _line_names(lines, credits)},
            field=field,
            code=SettlementError.CREDIT_LINE_NOT_DROPPABLE,
        )
    if drop and len(drop) == len(lines):
        raise ValidationFailed(
            _("不能撤回全部明细；结算单至少保留一条明细"), field=field, code=SettlementError.ALL_LINES_DROPPED
        )
    return {i: lines[i] for i in drop}


def _drop_lines(statement: SettlementStatement, dropped: list[SettlementLine]) -> None:
    """Dropped lines leave the statement; their receipts and returns go to a later statement."""
    receipt_ids = [ln.receipt_line_id for ln in dropped if ln.kind == SettlementLine.Kind.RECEIPT]
    _release_price_adjustments(statement, receipt_ids)
    SettledReturn.objects.filter(statement=statement, receipt_line_id__in=receipt_ids).delete()
    SettledReturn.objects.filter(return_line_id__in=[ln.return_line_id for ln in dropped if ln.return_line_id]).delete()
    SettlementLine.objects.filter(pk__in=[ln.pk for ln in dropped]).delete()


@transaction.atomic
def statement_claim(
    *, statement: SettlementStatement, by, invoice_numbers, drop_line_ids=(), response: str = ""
) -> SettlementStatement:
    """企业申报: the manufacturer claims the statement with its invoice numbers (by the claim day of the next month,
    `SETTLEMENT_CLAIM_DAY`; a later claim is marked late). After a dispute it may drop disputed lines (their receipts
    go to a later statement) or keep them with a response.

    A deactivated manufacturer's users can no longer act: a fund officer claims for it, with the invoices it handed
    in, so that what the fund owes it is still paid."""
    statement = _lock_claimable(statement, by)
    ensure_not_paid(statement)
    _ensure_status(
        statement,
        policies.CLAIM,
        _("结算单 %(number)s 当前状态“%(status)s”，不能申报"),
        SettlementError.STATEMENT_NOT_DRAFT,
    )
    numbers = _parse_invoices(invoice_numbers)
    dropped = _lines_to_drop(statement, drop_line_ids)
    if dropped:
        _drop_lines(statement, list(dropped.values()))
    statement.lines.filter(disputed=True).update(disputed=False, response=(response or "企业坚持申报")[:300])
    _recompute(statement)
    today = timezone.localdate()
    before = statement.status
    statement.claim()
    statement.invoice_numbers = numbers
    statement.claimed_at = timezone.now()
    statement.claimed_by = by
    statement.claimed_late = today > statement.claim_due_on
    statement.confirm_due_on = add_working_days(today, rules.settlement().confirmation_working_days)
    statement.version += 1
    statement.save()
    record_event(
        statement,
        "claimed",
        by=by,
        from_status=before,
        reason=response,
        data={"invoice_numbers": numbers, "dropped_lines": sorted(dropped), "late": statement.claimed_late},
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
            code=SettlementError.PRICE_ADJUSTMENT_SETTLED,
        )
    adjustments.delete()


@transaction.atomic
def statement_update_invoices(*, statement: SettlementStatement, by, invoice_numbers) -> SettlementStatement:
    """The manufacturer corrects its invoice numbers before the hospital confirms."""
    require(by, "settlement.claim")
    statement = lock_statement(statement)
    _own_statement(statement, by, "manufacturer")
    ensure_not_paid(statement)
    if not policies.status_allows(statement, policies.INVOICES):
        raise ConflictError(_("医疗机构确认后不能修改发票号"), field="status", code=SettlementError.INVOICES_LOCKED)
    old = statement.invoice_numbers
    statement.invoice_numbers = _parse_invoices(invoice_numbers)
    statement.version += 1
    statement.save(update_fields=["invoice_numbers", "version"])
    record_event(
        statement,
        "invoices_changed",
        by=by,
        from_status=statement.status,
        data={"old": old, "new": statement.invoice_numbers},
    )
    return statement


def _check_disputes(statement: SettlementStatement, disputes: dict[int, str]) -> None:
    line_ids = set(statement.lines.values_list("pk", flat=True))
    unknown = set(disputes) - line_ids
    if unknown:
        raise ValidationFailed(
            _("明细 %(value)s 不属于该结算单") % {"value": sorted(unknown)},
            field="disputes",
            code=SettlementError.LINE_NOT_IN_STATEMENT,
        )
    missing = sorted(pk for pk, reason in disputes.items() if not reason)
    if missing:
        raise ValidationFailed(
            _("请填写明细 %(missing)s 的争议原因") % {"missing": missing},
            field="disputes",
            code=SettlementError.DISPUTE_REASON_REQUIRED,
        )


@transaction.atomic
def statement_review(*, statement: SettlementStatement, by, disputes: dict | None = None) -> SettlementStatement:
    """医疗机构确认: with no disputes the hospital confirms the statement; disputed lines (each with a reason) send it
    back to the manufacturer."""
    require(by, "settlement.confirm")
    statement = lock_statement(statement)
    _own_statement(statement, by, "hospital")
    ensure_not_paid(statement)
    _ensure_status(
        statement,
        policies.REVIEW,
        _("结算单 %(number)s 当前状态“%(status)s”，不能确认"),
        SettlementError.STATEMENT_NOT_CLAIMED,
    )
    disputes = {parse_id(k, field="disputes"): (v or "").strip() for k, v in (disputes or {}).items()}
    before = statement.status
    if not disputes:
        statement.confirm()
        statement.confirmed_at = timezone.now()
        statement.confirmed_by = by
        statement.version += 1
        statement.save()
        record_event(statement, "confirmed", by=by, from_status=before)
        return statement
    _check_disputes(statement, disputes)
    for pk, reason in disputes.items():
        SettlementLine.objects.filter(pk=pk).update(disputed=True, dispute_reason=reason[:300], response="")
    _recompute(statement)
    statement.send_back()
    statement.version += 1
    statement.save()
    record_event(
        statement,
        "disputed",
        by=by,
        from_status=before,
        reason="；".join(disputes.values()),
        data={"lines": {str(k): v for k, v in disputes.items()}},
    )
    return statement


def statements_generate(*, month, region=None, by, progress=None):
    """Generation on demand (fund officers): `generation.generate_statements` for the month and region."""
    require(by, "settlement.manage")
    return generate_statements(month=month, region=region, progress=progress)
