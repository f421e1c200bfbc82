"""Pages of payment standards: a year's standards (hospitals and officials), and the officials' review of a year's
drafts against what is in force, with the publication. Thin: parse, call a selector or service, render; a domain
error is shown on the page and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import can, capability_required
from common.errors import DomainError

from . import selectors, services
from .models import PaymentStandard


def _year(request, default: int) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else default


@capability_required("payment_standard.view")
def standard_list(request):
    year = _year(request, timezone.localdate().year)
    q = request.GET.get("q", "").strip()[:100]
    rows = selectors.year_standards(year, status=PaymentStandard.Status.PUBLISHED)
    if q:
        rows = rows.filter(product__generic_name__icontains=q)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "payment_standards/list.html",
        {
            "year": year,
            "q": q,
            "page": page,
            "years": selectors.years(),
            "can_manage": can(request.user, "payment_standard.manage"),
        },
    )


@capability_required("payment_standard.manage")
@require_http_methods(["GET", "POST"])
def review(request):
    drafts_years = [r["year"] for r in selectors.years() if r["draft"]]
    year = _year(request, max(drafts_years, default=timezone.localdate().year))
    if request.method == "POST":
        try:
            publication = services.payment_standards_publish(year=request.POST.get("year", ""), by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已发布 %(year)s 年度支付标准 %(count)s 条") % vars(publication))
        posted = request.POST.get("year", "")
        return redirect(f"{request.path}?year={posted if posted.isdigit() else year}")
    page = Paginator(selectors.review(year), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "payment_standards/review.html",
        {"year": year, "page": page, "years": selectors.years(), "publications": selectors.publications(year)},
    )
