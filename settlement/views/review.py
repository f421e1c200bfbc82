"""The steps a statement page posts: claim, invoices, the hospital's review, the fund's approval, return and
payment. Each calls one service, which decides; the page offers only what `policies.statement_allowed_actions`
allows."""

from __future__ import annotations

from django.utils.translation import gettext as _

from common.money import to_decimal
from common.numbers import param_ids, parse_id

from .. import policies
from ..errors import SettlementError, ValidationFailed
from ..models import Payment
from ..services import payments, review, statements


def _claim(request, statement) -> str:
    statements.statement_claim(
        statement=statement,
        by=request.user,
        invoice_numbers=request.POST.get("invoice_numbers", ""),
        drop_line_ids=param_ids(request.POST, "drop_line_ids", form=True),
        response=request.POST.get("response", ""),
    )
    return _("已申报")


def _invoices(request, statement) -> str:
    statements.statement_update_invoices(
        statement=statement, by=request.user, invoice_numbers=request.POST.get("invoice_numbers", "")
    )
    return _("发票号已更新")


def _review(request, statement) -> str:
    disputes = {}
    for key, value in request.POST.items():
        if key.startswith("dispute_") and request.POST.get(f"disputed_{key[8:]}"):
            disputes[parse_id(key[8:], field=key, form=True)] = value
    statements.statement_review(statement=statement, by=request.user, disputes=disputes)
    return _("已退回企业") if disputes else _("已确认")


def require_confirmation(request, message: str) -> None:
    """A financial step (approve, return, pay) is taken only with its confirmation ticked: the page asks before the
    money moves, also where the browser does not enforce the checkbox."""
    if request.POST.get("confirm") != "1":
        raise ValidationFailed(message, field="confirm", code=SettlementError.CONFIRMATION_REQUIRED)


def _reductions(post) -> dict[str, dict[str, str]]:
    """The reductions typed on the statement page: `reduce_<line>` (amount) and `reduce_reason_<line>`, where an
    amount or a reason was typed."""
    found = {}
    for key, amount in post.items():
        if key.startswith("reduce_") and not key.startswith("reduce_reason_"):
            line = key.removeprefix("reduce_")
            reason = post.get(f"reduce_reason_{line}", "")
            if amount.strip() or reason.strip():
                found[line] = {"amount": amount.strip(), "reason": reason}
    return found


def _approve(request, statement) -> str:
    require_confirmation(request, _("请勾选确认审核金额"))
    approved = review.statement_approve(statement=statement, by=request.user, reductions=_reductions(request.POST))
    if approved.reduced_amount:
        return _("已审核，核减 %(reduced)s 元，审核金额 %(approved)s 元") % {
            "reduced": approved.reduced_amount,
            "approved": approved.approved_amount,
        }
    return _("已审核")


def _return(request, statement) -> str:
    require_confirmation(request, _("请勾选确认退回"))
    review.statement_return(statement=statement, by=request.user, reason=request.POST.get("reason", ""))
    return _("已退回企业重新申报")


def _pay(request, statement) -> str:
    require_confirmation(request, _("请勾选确认支付金额与流水号"))
    amount = to_decimal(
        request.POST.get("amount", ""),
        field="amount",
        label=_("支付金额"),
        form=True,
        column=Payment._meta.get_field("amount"),
    )  # full-width digits, 1,234.50
    payments.payment_record(
        statement=statement,
        by=request.user,
        amount=amount,
        reference=request.POST.get("reference", ""),
        paid_on=request.POST.get("paid_on") or None,
    )
    return _("已登记支付")


STATEMENT_ACTIONS = {
    policies.CLAIM: _claim,
    policies.INVOICES: _invoices,
    policies.REVIEW: _review,
    policies.APPROVE: _approve,
    policies.RETURN: _return,
    policies.PAY: _pay,
}
