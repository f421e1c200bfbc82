"""Statement pages: the list (with the fund's bulk approval) and one statement with its steps and exports."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.models import Region
from accounts.permissions import can, capability_required
from common.formmemory import remember
from common.numbers import param_ids
from common.tables import Column, Listing

from .. import cycle, policies, selectors
from ..errors import DomainError
from ..generation import parse_month
from ..models import SettlementStatement
from ..services import review
from .exports import EXPORT_FORMATS, export
from .review import STATEMENT_ACTIONS, require_confirmation

S = SettlementStatement.Status


STATEMENT_COLUMNS = [
    Column("number", _l("结算单号"), sort="number"),
    Column("period", _l("结算周期"), value="period_label", sort="period"),
    Column("manufacturer", _l("生产企业"), value="manufacturer.name", sort="manufacturer__name"),
    Column("hospital", _l("医疗机构"), value="hospital.name", sort="hospital__name"),
    Column("status", _l("状态"), value="get_status_display", sort="status"),
    Column("amount", _l("结算金额"), sort="amount"),
    Column("paid_amount", _l("已付金额"), sort="paid_amount"),
    Column("payment_due_on", _l("付款期限"), sort="payment_due_on"),
]


@capability_required("settlement.view")
def statement_list(request):
    user = request.user
    qs = selectors.statements_visible_to(user)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    period = request.GET.get("period", "")
    if period:
        try:
            qs = selectors.in_month(qs, parse_month(period))
        except DomainError as exc:
            messages.error(request, exc.message)
    if request.method == "POST" and can(user, "settlement.manage"):
        try:
            require_confirmation(request, _("请勾选确认：所选结算单将按确认金额全额审核通过，记入应付"))
            done = review.statements_approve(statement_ids=param_ids(request.POST, "statement_ids", form=True), by=user)
            messages.success(request, _("已审核 %(n)s 张结算单") % {"n": len(done)})
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(request.get_full_path())
    listing = Listing(
        request,
        qs.select_related("manufacturer", "hospital"),
        STATEMENT_COLUMNS,
        default_sort="-period",
        per_page=50,
        export_name=str(_("结算单")),
    )
    if listing.wants_export:
        return listing.export()
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    manage = can(user, "settlement.manage")
    return render(
        request,
        "settlement/statement_list.html",
        {
            "page": listing.page,
            "listing": listing,
            "chart": selectors.monthly_chart(selectors.statements_visible_to(user)),
            "status": status,
            "period": period,
            "statuses": S.choices,
            "counts": selectors.status_counts(user),
            "totals": selectors.statement_totals(qs),
            "can_manage": manage,
            "today": timezone.localdate(),
            "last_month": last_month,
            "cycle": cycle.current_cycle(),
            "cycle_label": cycle.cycle_label(cycle.current_cycle()),
            "ended_periods": cycle.ended_periods(timezone.localdate(), 6) if manage else [],
            "worst_case": cycle.worst_case() if manage else None,
            "regions": Region.objects.filter(level=Region.Level.LEAGUE_CITY).order_by("code")
            if can(user, "settlement.manage")
            else [],
        },
    )


# --- the steps a statement page posts (each calls one service, which decides; the page offers only what
# `policies.statement_allowed_actions` allows) --------------------------------------------------------------------


@capability_required("settlement.view")
def statement_detail(request, pk: int):
    user = request.user
    statement = get_object_or_404(selectors.statements_visible_to(user), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action") or ""
        handler = STATEMENT_ACTIONS.get(action)
        try:
            if handler is None:
                messages.error(request, _("未知操作"))
            else:
                messages.success(request, handler(request, statement))
        except DomainError as exc:
            messages.error(request, exc.message)
            remember(request, action, exc)
        return redirect("settlement:detail", pk=statement.pk)
    if request.GET.get("format") in EXPORT_FORMATS:
        return export(
            request.GET["format"],
            statement.number,
            _("结算单 %(n)s") % {"n": statement.number},
            [
                _("验收日期"),
                _("类别"),
                _("原结算单"),
                _("产品"),
                _("验收数量"),
                _("退货数量"),
                _("订单单价"),
                _("结算单价"),
                _("验收金额"),
                _("退货金额"),
                _("价格更正金额"),
                _("结算金额"),
                _("付款期限"),
                _("争议原因"),
            ],
            [
                [
                    line.received_on,
                    line.get_kind_display(),
                    line.price_adjustment.statement.number if line.price_adjustment_id else "",
                    line.product,
                    line.min_units,
                    line.returned_min_units,
                    line.unit_price,
                    line.settled_unit_price,
                    line.gross_amount,
                    line.returned_amount,
                    line.correction_amount,
                    line.amount,
                    line.due_on,
                    line.dispute_reason,
                ]
                for line in selectors.statement_lines(statement)
            ],
            facts=[
                (_("生产企业"), statement.manufacturer.name),
                (_("医疗机构"), statement.hospital.name),
                (_("结算周期"), statement.period_label),
                (_("状态"), statement.get_status_display()),
                (_("结算金额"), statement.amount),
                (_("审核金额"), statement.approved_amount),
                (_("已付金额"), statement.paid_amount),
                (_("付款期限"), statement.payment_due_on),
                (_("发票号"), "、".join(statement.invoice_numbers)),
            ],
        )
    return render(
        request,
        "settlement/statement_detail.html",
        {
            "s": statement,
            "lines": selectors.statement_lines(statement),
            "events": statement.events.select_related("actor"),
            "payments": statement.payments.order_by("paid_on", "pk"),
            "days_left": selectors.days_to_deadline(statement),
            "deadlines": selectors.statement_deadlines(statement),
            "actions": policies.statement_allowed_actions(user, statement),
            "can_manage": can(user, "settlement.manage"),
            "today": timezone.localdate(),
        },
    )
