"""Ledger pages: balances by account and the monthly reconciliation of statements, payments and ledger."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Region
from accounts.permissions import can, capability_required

from .. import selectors
from ..errors import DomainError
from ..generation import fund_for_region, parse_month
from ..models import LedgerAccount
from .exports import EXPORT_FORMATS, export


@capability_required("settlement.view")
def balances(request):
    kind = request.GET.get("kind", "")
    rows = list(selectors.balances(request.user, kind=kind or None))
    if request.GET.get("format") in EXPORT_FORMATS:
        return export(
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
        return export(
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
