"""基金审核: the fund officer's review of a statement the hospital confirmed — approve it (all of it, or with
reductions, 核减, line by line with a reason), or return it to the manufacturer with a reason.

An approval posts the approved amount (the confirmed amount less the reductions) to the ledger: the fund owes it to
the manufacturer on the hospital's behalf. What was reduced is never paid by the fund; the line keeps the reduction and
its reason, which the manufacturer and the hospital see. Bulk approval approves statements whole.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from common import rules
from common.numbers import parse_decimal, parse_id

from .. import ledger, policies
from ..errors import NotFoundError, SettlementError, ValidationFailed
from ..models import JournalEntry, SettlementLine, SettlementStatement
from .calendar import add_working_days
from .statements import _ensure_status, ensure_not_paid, lock_statement, record_event

S = SettlementStatement.Status
A = SettlementLine._meta.get_field("reduced_amount")
REASON_MAX = SettlementLine._meta.get_field("reduction_reason").max_length


def _parse_reductions(statement: SettlementStatement, reductions) -> dict[int, tuple[Decimal, str]]:
    """{line id: (amount, reason)} from `{line id: {"amount": "12.50", "reason": "…"}}`: each a line of this
    statement that is a charge (not a credit), reduced by more than 0 and at most its amount, with a reason; not all of
    the statement (a statement the fund would pay nothing of goes back to the manufacturer instead)."""
    if not reductions:
        return {}
    if not isinstance(reductions, dict):
        raise ValidationFailed(_("核减明细格式错误"), field="reductions", code=SettlementError.REDUCTION_NOT_POSITIVE)
    lines = {line.pk: line for line in statement.lines.all()}
    parsed: dict[int, tuple[Decimal, str]] = {}
    for key, item in reductions.items():
        line_id = parse_id(key, field="reductions", label=_("结算明细"))
        field = f"reductions.{line_id}"
        line = lines.get(line_id)
        if line is None:
            raise ValidationFailed(
                _("明细 %(value)s 不属于该结算单") % {"value": line_id},
                field=field,
                code=SettlementError.LINE_NOT_IN_STATEMENT,
            )
        item = item if isinstance(item, dict) else {"amount": item}
        amount = parse_decimal(item.get("amount"), field=f"{field}.amount", label=_("核减金额"), column=A, form=True)
        if amount <= 0:
            raise ValidationFailed(
                _("核减金额须大于 0"), field=f"{field}.amount", code=SettlementError.REDUCTION_NOT_POSITIVE
            )
        if amount > line.amount:
            raise ValidationFailed(
                _("核减金额 %(amount)s 超过明细结算金额 %(line)s") % {"amount": amount, "line": line.amount},
                field=f"{field}.amount",
                code=SettlementError.REDUCTION_OVER_LINE,
            )
        reason = str(item.get("reason") or "").strip()
        if not reason:
            raise ValidationFailed(
                _("请填写核减原因"), field=f"{field}.reason", code=SettlementError.REDUCTION_REASON_REQUIRED
            )
        parsed[line_id] = (amount, reason[:REASON_MAX])
    if sum(a for a, _r in parsed.values()) >= statement.amount:
        raise ValidationFailed(
            _("核减后结算金额不大于 0：请退回企业，而不是全额核减"),
            field="reductions",
            code=SettlementError.REDUCTION_WHOLE_STATEMENT,
        )
    return parsed


def _post_approval(statement: SettlementStatement, by) -> None:
    fund = statement.fund
    amount = statement.approved_amount
    ledger.post(
        fund=fund,
        kind=JournalEntry.Kind.APPROVAL,
        entry_date=timezone.localdate(),
        by=by,
        statement=statement,
        memo=f"结算单 {statement.number} 审核：代{statement.hospital}应付{statement.manufacturer}",
        lines=[
            (ledger.hospital_account(fund, statement.hospital_id), amount),
            (ledger.manufacturer_account(fund, statement.manufacturer_id), -amount),
        ],
    )


def _approve_one(statement: SettlementStatement, by, reductions=None) -> SettlementStatement:
    ensure_not_paid(statement)
    _ensure_status(
        statement,
        policies.APPROVE,
        _("结算单 %(number)s 尚未经医疗机构确认（当前“%(status)s”），不能审核"),
        SettlementError.STATEMENT_NOT_CONFIRMED,
    )
    cuts = _parse_reductions(statement, reductions)
    for line_id, (amount, reason) in cuts.items():
        SettlementLine.objects.filter(pk=line_id).update(reduced_amount=amount, reduction_reason=reason)
    before = statement.status
    statement.approve()
    statement.reduced_amount = sum((a for a, _r in cuts.values()), Decimal("0"))
    statement.approved_amount = statement.amount - statement.reduced_amount
    statement.approved_at = timezone.now()
    statement.approved_by = by
    statement.version += 1
    statement.save()
    if statement.approved_amount != 0:
        _post_approval(statement, by)
    record_event(
        statement,
        "approved",
        by=by,
        from_status=before,
        reason="；".join(reason for _a, reason in cuts.values()),
        data={
            "amount": str(statement.amount),
            "reduced": str(statement.reduced_amount),
            "approved": str(statement.approved_amount),
            "reductions": {str(k): {"amount": str(a), "reason": r} for k, (a, r) in cuts.items()},
        },
    )
    if statement.approved_amount <= 0:
        # Nothing to pay (returns exceeded receipts): closed at once, the credit stays in the manufacturer's account.
        statement.pay_fully()
        statement.paid_at = timezone.now()
        statement.save()
        record_event(statement, "paid", by=by, from_status=S.APPROVED, reason="结算金额不大于 0，无需支付")
    return statement


@transaction.atomic
def statement_approve(*, statement: SettlementStatement, by, reductions=None) -> SettlementStatement:
    """基金审核通过, optionally with reductions (`{line id: {"amount", "reason"}}`)."""
    require(by, "settlement.manage")
    return _approve_one(lock_statement(statement), by, reductions)


@transaction.atomic
def statements_approve(*, statement_ids, by) -> list[SettlementStatement]:
    """Bulk approval, each statement whole: all the statements or none (the error names the first one that cannot be
    approved)."""
    require(by, "settlement.manage")
    ids = sorted({parse_id(i, field="statement_ids") for i in statement_ids or []})
    if not ids:
        raise ValidationFailed(
            _("请选择要审核的结算单"), field="statement_ids", code=SettlementError.NO_STATEMENTS_SELECTED
        )
    locked = list(SettlementStatement.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    missing = set(ids) - {s.pk for s in locked}
    if missing:
        raise NotFoundError(
            _("结算单 %(value)s 不存在") % {"value": sorted(missing)},
            field="statement_ids",
            code=SettlementError.STATEMENT_NOT_FOUND,
        )
    return [_approve_one(s, by) for s in locked]


@transaction.atomic
def statement_return(*, statement: SettlementStatement, by, reason: str) -> SettlementStatement:
    """退回企业: the fund officer sends a confirmed statement back to the manufacturer, with the reason (an invoice that
    does not match, a product outside direct settlement…). The manufacturer claims it again — with as many working days
    as the hospital has to confirm, counted from today, if its claim day has passed — and the hospital confirms again."""
    require(by, "settlement.manage")
    statement = lock_statement(statement)
    ensure_not_paid(statement)
    _ensure_status(
        statement,
        policies.RETURN,
        _("结算单 %(number)s 当前状态“%(status)s”，只有待基金审核的结算单可以退回"),
        SettlementError.STATEMENT_NOT_CONFIRMED,
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写退回原因"), field="reason", code=SettlementError.RETURN_REASON_REQUIRED)
    before = statement.status
    statement.return_to_manufacturer()
    today = timezone.localdate()
    statement.claim_due_on = max(
        statement.claim_due_on, add_working_days(today, rules.settlement().confirmation_working_days)
    )
    statement.confirmed_at = None
    statement.confirmed_by = None
    statement.confirm_due_on = None
    statement.auto_confirmed = False
    statement.version += 1
    statement.save()
    record_event(statement, "returned", by=by, from_status=before, reason=reason)
    return statement
