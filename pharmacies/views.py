"""Pages of pharmacies: the 双通道 designations (officials designate and revoke; a pharmacy sees its own), the public
list of 双通道 pharmacies (no sign-in), and the negotiated-drug monitoring report with its CSV/xlsx export. Thin:
parse, call a selector or service, render; a domain error is shown on the page and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import can, capability_required
from common.errors import DomainError, ValidationFailed
from common.numbers import param_id, parse_id
from transparency.throttling import throttled_page

from . import exports, selectors, services

PAGE_SIZE = 50


@capability_required("dual_channel.view")
@require_http_methods(["GET", "POST"])
def designation_list(request):
    can_manage = can(request.user, "dual_channel.manage")
    if request.method == "POST":
        if not can_manage:
            raise Http404
        try:
            designation = services.dual_channel_designate(
                by=request.user,
                pharmacy=request.POST.get("pharmacy", ""),
                region=request.POST.get("region", ""),
                valid_from=request.POST.get("valid_from", ""),
                valid_to=request.POST.get("valid_to", ""),
                all_negotiated=request.POST.get("all_negotiated") == "on",
                products=request.POST.getlist("products"),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已认定双通道定点药店：%(name)s") % {"name": designation.pharmacy.name})
        return redirect("pharmacies:designations")
    qs = selectors.designations_visible_to(request.user).order_by("region__sort_order", "pharmacy__name", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pharmacies/designations.html",
        {"page": page, "can_manage": can_manage, **(selectors.designation_choices() if can_manage else {})},
    )


@capability_required("dual_channel.manage")
@require_POST
def designation_revoke(request, pk):
    designation = selectors.designations_visible_to(request.user).filter(pk=parse_id(pk, field="id")).first()
    if designation is None:
        raise Http404
    try:
        services.dual_channel_revoke(by=request.user, designation=designation, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销双通道认定：%(name)s") % {"name": designation.pharmacy.name})
    return redirect("pharmacies:designations")


@login_not_required
@require_safe
@throttled_page
def public_list(request):
    try:
        region = param_id(request.GET, "region")
    except ValidationFailed as exc:
        return HttpResponseBadRequest(exc.message)
    page = Paginator(selectors.public_designations(region=region), PAGE_SIZE).get_page(request.GET.get("page"))
    regions = selectors.designation_choices()["regions"]
    return render(request, "pharmacies/public.html", {"page": page, "regions": regions, "region": region})


@capability_required("negotiated.monitor")
@require_safe
def monitoring(request):
    try:
        filters = selectors.monitoring_filters(request.GET)
    except ValidationFailed as exc:
        return render(request, "pharmacies/monitoring.html", {"error": exc.message}, status=400)
    export = request.GET.get("export", "")
    report = selectors.monitoring(filters)
    if export == "csv":
        return exports.as_csv(report)
    if export == "xlsx":
        return exports.as_xlsx(report)
    return render(
        request,
        "pharmacies/monitoring.html",
        {
            "report": report,
            "filters": filters,
            "regions": selectors.designation_choices()["regions"],
            "only_choices": [
                ("", _("全部")),
                ("expiring", _("协议即将到期")),
                ("unlisted", _("未挂网")),
                ("unstocked", _("期间无入库")),
                ("gaps", _("有盟市无入库")),
            ],
        },
    )
