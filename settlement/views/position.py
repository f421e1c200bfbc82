"""The fund position: for fund officers every hospital's budget (总额预算) and what drew on it, the retained-savings
awards (结余留用) to review and pay, and the performance scores (综合绩效); for a hospital its own. Each step posts to
one service; a domain error is shown on the page and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import capability_required
from common.numbers import param_id
from procurement.models import Tender

from .. import positions, yearend
from ..errors import DomainError
from ..models import FundAccount
from ..services import budgets, savings, scores


def _year(request) -> int:
    return param_id(request.GET, "year", form=True) or timezone.localdate().year


def _all_funds(month=None, year=None, *, by):
    done = 0
    for fund in FundAccount.objects.filter(is_active=True):
        if month is not None:
            done += len(budgets.budget_month_settle(fund=fund, month=month, by=by))
        else:
            done += yearend.settle_year(fund=fund, year=year, by=by)
    return done


def _budget(request) -> str:
    budget = budgets.budget_set(
        hospital_id=param_id(request.POST, "hospital", form=True) or 0,
        year=request.POST.get("year"),
        months=[request.POST.get(f"m{m}", "") for m in range(1, 13)],
        by=request.user,
    )
    return _("已保存 %(hospital)s %(year)s 年度预算 %(total)s") % {
        "hospital": budget.hospital,
        "year": budget.year,
        "total": budget.total,
    }


def _budget_file(request) -> str:
    done = budgets.budgets_import(
        rows=budgets.read_rows(request.FILES.get("file"), budgets.BUDGET_HEADERS), by=request.user
    )
    return _("已导入 %(n)s 条预算") % {"n": len(done)}


def _claim_file(request) -> str:
    upload = request.FILES.get("file")
    done = budgets.claims_import(
        rows=budgets.read_rows(upload, budgets.CLAIM_HEADERS), file_name=getattr(upload, "name", ""), by=request.user
    )
    return _("已导入 %(n)s 条医保结算申报") % {"n": len(done)}


def _settle_month(request) -> str:
    return _("已拨付 %(n)s 家医疗机构") % {"n": _all_funds(month=request.POST.get("month"), by=request.user)}


def _year_end(request) -> str:
    year = budgets.parse_year(request.POST.get("year"))
    return _("已清算 %(n)s 家医疗机构") % {"n": _all_funds(year=year, by=request.user)}


def _assess(request) -> str:
    tender = get_object_or_404(Tender, pk=param_id(request.POST, "tender", form=True) or 0)
    return _("已测算 %(n)s 家医疗机构") % {"n": len(savings.savings_awards_assess(tender=tender, by=request.user))}


def _award(request):
    return get_object_or_404(
        positions.savings_awards_visible_to(request.user), pk=param_id(request.POST, "award", form=True) or 0
    )


def _review(request) -> str:
    award = savings.savings_award_review(
        award=_award(request),
        approve=request.POST.get("decision") == "approve",
        note=request.POST.get("note", ""),
        by=request.user,
    )
    return _("%(hospital)s：%(status)s") % {"hospital": award.hospital, "status": award.get_status_display()}


def _pay(request) -> str:
    award = savings.savings_award_pay(award=_award(request), by=request.user)
    return _("已拨付 %(hospital)s 结余留用 %(amount)s") % {"hospital": award.hospital, "amount": award.amount}


def _scores(request) -> str:
    year = budgets.parse_year(request.POST.get("year"))
    return _("已计算 %(n)s 家医疗机构") % {"n": len(scores.hospital_scores_compute(year=year, by=request.user))}


ACTIONS = {
    "budget": _budget,
    "budget_file": _budget_file,
    "claim_file": _claim_file,
    "settle_month": _settle_month,
    "year_end": _year_end,
    "assess": _assess,
    "review": _review,
    "pay": _pay,
    "scores": _scores,
}


def _context(request, year: int) -> dict:
    user = request.user
    awards = list(positions.savings_awards_visible_to(user)[:200])
    for award in awards:
        award.reason_texts = positions.award_reasons(award)
    return {
        "year": year,
        "budgets": positions.budgets_visible_to(user, year=year)[:500],
        "months": positions.month_settlements_visible_to(user, year=year)[:500],
        "years": positions.year_settlements_visible_to(user).filter(year=year)[:500],
        "awards": awards,
        "scores": positions.scores_visible_to(user, year=year)[:500],
    }


@capability_required("settlement.manage")
def fund_position(request):
    if request.method == "POST":
        handler = ACTIONS.get(request.POST.get("action") or "")
        try:
            if handler is None:
                messages.error(request, _("未知操作"))
            else:
                messages.success(request, handler(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(request.get_full_path())
    year = _year(request)
    return render(
        request,
        "settlement/fund_position.html",
        {
            **_context(request, year),
            "tenders": Tender.objects.filter(commitments__isnull=False).distinct().order_by("-cycle_start")[:50],
            "month_numbers": range(1, 13),
            "budget_headers": budgets.BUDGET_HEADERS,
            "claim_headers": budgets.CLAIM_HEADERS,
        },
    )


@capability_required("settlement.confirm")
def my_position(request):
    return render(request, "settlement/my_position.html", _context(request, _year(request)))
