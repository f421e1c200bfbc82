"""Pages of traceability codes: a delivery's codes (the distributor uploads or scans them, the hospital receives by
scan), the hospital's stock by product, and the flags (officials; with the insurance platform's dispensing file)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from accounts.permissions import can, capability_required
from common.errors import DomainError
from procurement.models import Delivery

from . import selectors
from .inputs import code_rows, scanned_codes
from .models import TraceFlag
from .services.dispensing import dispensing_import
from .services.receiving import codes_receive
from .services.recording import codes_record
from .services.returning import codes_return

app_name = "traceability"


def _delivery(request, pk: int) -> Delivery:
    delivery = (
        Delivery.objects.select_related("order", "hospital", "distributor").filter(pk=pk).first()
        if 0 < pk < 2**63
        else None
    )
    if delivery is None or request.user.organization_id not in (delivery.distributor_id, delivery.hospital_id):
        raise Http404
    return delivery


def _post_delivery(request, delivery: Delivery) -> dict | None:
    """Run the form's action; the result, or None after an error shown on its field."""
    try:
        if request.POST.get("action") == "receive":
            return codes_receive(
                delivery_id=delivery.pk,
                by=request.user,
                codes=scanned_codes(text=request.POST.get("codes", "")),
                complete=bool(request.POST.get("complete")),
                confirm=bool(request.POST.get("confirm")),
                reason=request.POST.get("reason", ""),
            )
        rows = code_rows(upload=request.FILES.get("file"), text=request.POST.get("codes", ""))
        return codes_record(
            delivery_id=delivery.pk,
            by=request.user,
            rows=rows,
            delivery_line_id=request.POST.get("delivery_line") or None,
        )
    except DomainError as exc:
        request.error = exc
        return None


@capability_required("order.view")
def delivery_codes(request, pk: int):
    delivery = _delivery(request, pk)
    result = None
    if request.method == "POST":
        result = _post_delivery(request, delivery)
        if result is not None:
            messages.success(request, _("已保存"))
    error = getattr(request, "error", None)
    context = {
        "delivery": delivery,
        "lines": selectors.delivery_counts(delivery.pk),
        "delivery_lines": delivery.lines.select_related("order_line__product"),
        "codes": selectors.delivery_codes(delivery.pk)[:500],
        "is_distributor": request.user.organization_id == delivery.distributor_id and can(request.user, "order.fulfil"),
        "is_hospital": request.user.organization_id == delivery.hospital_id and can(request.user, "order.receive"),
        "result": result,
        "error": error,
        "posted": request.POST,
        "receipt": getattr(delivery, "receipt", None) if delivery.received else None,
    }
    return render(request, "traceability/delivery_codes.html", context, status=400 if error else 200)


@capability_required("order.receive")
def stock(request):
    rows = selectors.hospital_stock(request.user.organization_id)
    return render(request, "traceability/stock.html", {"rows": rows})


@capability_required("order.receive")
def returns(request):
    """按码退货: the hospital scans what it sends back (a case: its packs) with a reason; procurement's return is
    created per order. Below, the hospital's returns made by code."""
    error, result = None, None
    if request.method == "POST":
        try:
            result = codes_return(
                by=request.user,
                codes=scanned_codes(text=request.POST.get("codes", "")),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("已退货 %(packs)s 个包装") % {"packs": result["packs"]})
        except DomainError as exc:
            error = exc
    context = {
        "rows": selectors.code_returns(request.user.organization_id)[:200],
        "result": result,
        "error": error,
        "posted": request.POST if error else {},
    }
    return render(request, "traceability/returns.html", context, status=400 if error else 200)


@capability_required("order.view")  # distributors see an empty list (selectors.flags_visible_to)
def flags(request):
    error = None
    if request.method == "POST" and can(request.user, "settlement.manage"):
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DomainError(_("请选择文件"), field="file")
            source = dispensing_import(content=upload.read(), file_name=upload.name, by=request.user)
            messages.success(
                request,
                _("已导入 %(rows)s 行，新标记 %(flagged)s 个") % {"rows": source.rows, "flagged": source.flagged},
            )
            return redirect("traceability:flags")
        except DomainError as exc:
            error = exc
    kind = request.GET.get("kind", "")
    rows = selectors.flags_visible_to(request.user)
    if kind:
        rows = rows.filter(kind=kind)
    context = {
        "rows": selectors.with_details(rows[:500]),
        "kinds": TraceFlag.Kind.choices,
        "kind": kind,
        "can_import": can(request.user, "settlement.manage"),
        "error": error,
    }
    return render(request, "traceability/flags.html", context, status=400 if error else 200)


urlpatterns = [
    path("deliveries/<int:pk>/", delivery_codes, name="delivery-codes"),
    path("returns/", returns, name="returns"),
    path("stock/", stock, name="stock"),
    path("flags/", flags, name="flags"),
]
