"""Pages of shortage alerts: list and close."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.permissions import capability_required
from common.errors import DomainError
from common.formmemory import remember
from common.tables import Column, Listing

from .. import selectors
from ..models import ShortageAlert
from ..services import shortage as shortage_svc

SHORTAGE_COLUMNS = [
    Column("product", _l("通用名"), value="product.generic_name", sort="product__generic_name"),
    Column("specification", _l("规格"), value="product.specification"),
    Column("nhsa_code", _l("产品代码"), value="product.nhsa_code", sort="product__nhsa_code"),
    Column("on_shortage_list", _l("短缺药品清单"), sort="on_shortage_list"),
    Column("reason", _l("原因"), value="get_reason_display", sort="reason"),
    Column("hospitals", _l("受影响机构"), value=lambda s: "、".join(h.name for h in s.hospitals.all())),
    Column("first_detected_on", _l("首次发现"), sort="first_detected_on"),
    Column("last_detected_on", _l("最近发现"), sort="last_detected_on"),
    Column("status", _l("状态"), value="get_status_display", sort="status"),
]


@capability_required("pricing.view")
def shortage_list(request):
    status = request.GET.get("status", "open")
    alerts = selectors.shortage_alerts_visible_to(request.user)
    if status:
        alerts = alerts.filter(status=status)
    listing = Listing(
        request,
        alerts,
        SHORTAGE_COLUMNS,
        default_sort="-last_detected_on",
        default_order=("-on_shortage_list", "-last_detected_on", "-pk"),
        export_name=str(_("短缺预警")),
    )
    if listing.wants_export:
        return listing.export()
    return render(
        request,
        "pricing/shortage_list.html",
        {"page": listing.page, "listing": listing, "status": status, "statuses": ShortageAlert.Status.choices},
    )


@require_POST
@capability_required("pricing.review")
def shortage_close(request, pk: int):
    alert = get_object_or_404(selectors.shortage_alerts_visible_to(request.user), pk=pk)
    try:
        shortage_svc.shortage_alert_close(alert=alert, note=request.POST.get("note", ""), by=request.user)
        messages.success(request, _("短缺预警已解除"))
    except DomainError as exc:
        messages.error(request, exc.message)
        remember(request, f"shortage-{alert.pk}", exc, field="note")
    return redirect("pricing:shortage-list")
