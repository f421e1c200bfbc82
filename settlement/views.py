"""Settlement pages for the fund officer, manufacturer and hospital portals. Thin: parse, call one service or
selector, render; a domain error is shown on the page and changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from openpyxl import Workbook

from accounts.models import Region
from accounts.permissions import can, capability_required
from common import rules
from common.formmemory import remember
from common.money import to_decimal
from common.numbers import param_id, param_ids, parse_id
from common.tables import Column, Listing
from common.templatetags.display import due_in
from procurement.models import Tender

from . import cycle, policies, selectors
from .errors import CommonError, DomainError, SettlementError, ValidationFailed
from .generation import fund_for_region, parse_month
from .models import LedgerAccount, Payment, SettlementStatement
from .pdf import table_pdf
from .services import payments, review, statements

S = SettlementStatement.Status


def _xlsx(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append([str(v) if v is not None and not isinstance(v, (int, str)) else v for v in row])
    data = io.BytesIO()
    book.save(data)
    response = HttpResponse(
        data.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EXPORT_FORMATS = ("xlsx", "pdf")


def _export(fmt: str, name: str, title: str, header: list[str], rows: list[list], facts=()) -> HttpResponse:
    """The report as an xlsx sheet or a PDF table (`?format=xlsx|pdf`)."""
    if fmt == "pdf":
        response = HttpResponse(table_pdf(title, header, rows, facts=facts), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return _xlsx(f"{name}.xlsx", header, rows)


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
            _require_confirmation(request, _("请勾选确认：所选结算单将按确认金额全额审核通过，记入应付"))
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


def _require_confirmation(request, message: str) -> None:
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
    _require_confirmation(request, _("请勾选确认审核金额"))
    approved = review.statement_approve(statement=statement, by=request.user, reductions=_reductions(request.POST))
    if approved.reduced_amount:
        return _("已审核，核减 %(reduced)s 元，审核金额 %(approved)s 元") % {
            "reduced": approved.reduced_amount,
            "approved": approved.approved_amount,
        }
    return _("已审核")


def _return(request, statement) -> str:
    _require_confirmation(request, _("请勾选确认退回"))
    review.statement_return(statement=statement, by=request.user, reason=request.POST.get("reason", ""))
    return _("已退回企业重新申报")


def _pay(request, statement) -> str:
    _require_confirmation(request, _("请勾选确认支付金额与流水号"))
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
        return _export(
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


@capability_required("settlement.view")
def overdue_list(request):
    rows = selectors.overdue_statements(request.user)
    today = timezone.localdate()
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request.GET["format"],
            "overdue",
            _("逾期及 %(days)s 日内到期结算单") % {"days": rules.settlement().due_soon_days},
            [
                _("结算单号"),
                _("生产企业"),
                _("医疗机构"),
                _("月份"),
                _("状态"),
                _("审核金额"),
                _("已付"),
                _("付款期限"),
                _("到期情况"),
            ],
            [
                [
                    s.number,
                    s.manufacturer.name,
                    s.hospital.name,
                    f"{s.period:%Y-%m}",
                    s.get_status_display(),
                    s.approved_amount,
                    s.paid_amount,
                    s.payment_due_on.isoformat(),
                    due_in(s.payment_due_on, today),
                ]
                for s in rows
            ],
        )
    return render(
        request,
        "settlement/overdue.html",
        {
            "rows": rows[:500],
            "today": today,
            "due_soon_days": rules.settlement().due_soon_days,
            "can_manage": can(request.user, "settlement.manage"),
        },
    )


@capability_required("settlement.manage")
def payment_import(request):
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed(_("请选择文件"), field="file", code=CommonError.REQUIRED)
            result = payments.payments_import(
                rows=payments.read_payment_file(upload),
                file_name=upload.name,
                by=request.user,
                dry_run=bool(request.POST.get("dry_run")),
            )
            if result.ok:
                messages.success(
                    request,
                    _("校验通过，合计 %(t)s") % {"t": result.total}
                    if request.POST.get("dry_run")
                    else _("已入账，合计 %(t)s") % {"t": result.total},
                )
            else:
                messages.error(request, result.error)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, "settlement/payment_import.html", {"result": result, "headers": payments.PAYMENT_HEADERS})


@capability_required("settlement.view")
def balances(request):
    kind = request.GET.get("kind", "")
    rows = list(selectors.balances(request.user, kind=kind or None))
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request.GET["format"],
            "balances",
            _("往来余额"),
            [_("基金"), _("科目"), _("往来单位"), _("借方"), _("贷方"), _("余额")],
            [
                [
                    r["account__fund__name"],
                    r["kind_display"],
                    r["account__organization__name"] or "",
                    r["debit"] or 0,
                    r["credit"] or 0,
                    r["balance"],
                ]
                for r in rows
            ],
        )
    position = None
    if can(request.user, "settlement.confirm"):
        position = selectors.hospital_position(request.user.organization_id)
    return render(
        request,
        "settlement/balances.html",
        {
            "rows": rows,
            "kind": kind,
            "kinds": LedgerAccount.Kind.choices,
            "position": position,
            "can_manage": can(request.user, "settlement.manage"),
        },
    )


@capability_required("settlement.manage")
def reconciliation(request):
    period_text = (
        request.GET.get("period") or f"{(timezone.localdate().replace(day=1) - timezone.timedelta(days=1)):%Y-%m}"
    )
    region_code = request.GET.get("region", "")
    report = None
    try:
        fund = fund_for_region(Region.objects.get(code=region_code)) if region_code else None
        report = selectors.reconciliation(period=parse_month(period_text), fund=fund)
    except (DomainError, Region.DoesNotExist) as exc:
        messages.error(request, getattr(exc, "message", _("统筹区不存在")))
    if report and request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request.GET["format"],
            f"reconciliation-{period_text}",
            _("对账报告 %(p)s") % {"p": period_text},
            [
                _("结算单号"),
                _("结算金额"),
                _("审核金额"),
                _("分类账审核"),
                _("已付金额"),
                _("支付记录"),
                _("分类账支付"),
                _("差异"),
            ],
            [
                [
                    r["statement"].number,
                    r["amount"],
                    r["approved"],
                    r["ledger_approved"],
                    r["paid"],
                    r["payments"],
                    r["ledger_paid"],
                    "；".join(r["differences"]),
                ]
                for r in report["rows"]
            ],
        )
    return render(
        request,
        "settlement/reconciliation.html",
        {
            "report": report,
            "period": period_text,
            "region": region_code,
            "regions": Region.objects.filter(level="league_city").order_by("code"),
        },
    )


@capability_required("settlement.manage")
def retained_savings(request):
    tenders = Tender.objects.filter(commitments__isnull=False).distinct().order_by("-cycle_start")
    tender = tenders.filter(pk=param_id(request.GET, "tender", form=True) or 0).first() or tenders.first()
    rows = selectors.retained_savings(tender=tender) if tender else []
    if tender and request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request.GET["format"],
            f"retained-savings-{tender.code}",
            _("结余留用 %(t)s") % {"t": tender.code},
            [
                _("医疗机构"),
                _("品种"),
                _("净采购量"),
                _("基准价"),
                _("基准来源"),
                _("中选价"),
                _("节约金额"),
                _("留用比例"),
                _("留用金额"),
            ],
            [
                [
                    r["hospital"],
                    lot["generic_name"],
                    lot["units"],
                    lot["baseline"],
                    lot["baseline_source"],
                    lot["awarded_price"],
                    lot["savings"],
                    r["share"],
                    r["retained"],
                ]
                for r in rows
                for lot in r["lots"]
            ],
        )
    return render(request, "settlement/retained_savings.html", {"rows": rows, "tender": tender, "tenders": tenders})


app_name = "settlement"

urlpatterns = [
    path("", statement_list, name="list"),
    path("<int:pk>/", statement_detail, name="detail"),
    path("overdue/", overdue_list, name="overdue"),
    path("payments/import/", payment_import, name="payment-import"),
    path("balances/", balances, name="balances"),
    path("reconciliation/", reconciliation, name="reconciliation"),
    path("retained-savings/", retained_savings, name="retained-savings"),
]
