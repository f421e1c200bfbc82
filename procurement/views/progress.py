"""Agreed-volume progress pages (完成进度), read from the precomputed progress table.

- `/progress/` — officials: completion by tender, lot, region, hospital or manufacturer with filters, hospitals behind
  or at risk, high substitution, the last runs, and the xlsx export of the filtered commitments;
- `/progress/hospital/` — a hospital's own commitments with progress bars and what remains, and its notifications;
- `/progress/manufacturer/` — a manufacturer's awarded volumes: ordered, shipped, received, by tender and by lot;
- `/progress/commitments/{id}/` — one commitment month by month, with an inline SVG chart of cumulative received
  against pro-rata (visible to officials, the hospital and the supplying manufacturer; anyone else gets 404).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from accounts.models import Region
from accounts.permissions import can, capability_required
from common.models import Notification
from common.numbers import param_id
from common.tables import temp_xlsx

from ..exports_progress import HEADERS, row_values
from ..models import Lot, ProgressRun, ProgressStatus, Tender
from ..selectors import progress as sel


def _params(request) -> dict:
    """The dashboard's filters, ids parsed as a form's (full-width digits folded; a bad one is a 400 naming it)."""
    params = {name: request.GET.get(name, "") for name in sel.FILTERS}
    for name in sel.FILTERS:
        if name != "status":
            value = param_id(params, name, form=True)
            params[name] = "" if value is None else str(value)
    return params


GROUPS_PER_PAGE = 20
ROWS_PER_PAGE = 20


@capability_required("progress.view_all")
def dashboard(request):
    params = _params(request)
    by = request.GET.get("by", "lot")
    if by not in sel.ROLLUPS:
        by = "lot"
    rows = sel.cycle_rows(request.user, params)
    tenders = Tender.objects.filter(commitments__isnull=False).distinct().order_by("-cycle_start")
    lots = Lot.objects.filter(tender_id=params["tender"]).order_by("number") if params["tender"] else []
    by_choices = [
        ("tender", _("批次")),
        ("lot", _("品种")),
        ("region", _("统筹区")),
        ("hospital", _("医疗机构")),
        ("manufacturer", _("生产企业")),
    ]
    # the groups (84 hospitals, hundreds of lots) and the commitments behind are paged; the chart shows the page
    page = Paginator(sel.rollup(rows, by), GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    alerts = Paginator(sel.alert_rows(request.user, params), ROWS_PER_PAGE).get_page(request.GET.get("alerts_page"))
    return render(
        request,
        "procurement/progress/dashboard.html",
        {
            "params": params,
            "by": by,
            "page": page,
            "groups": page.object_list,
            "chart": sel.rollup_chart(list(page.object_list), by_label=str(dict(by_choices)[by])),
            "alerts": alerts.object_list,
            "alerts_page": alerts,
            "alerts_count": alerts.paginator.count,
            "substitution": sel.high_substitution_rows(request.user, params)[:50],
            "threshold": settings.COMMITMENT_PROGRESS["HIGH_SUBSTITUTION_RATIO"],
            "tenders": tenders,
            "lots": lots,
            "regions": Region.objects.filter(parent__isnull=True).order_by("sort_order"),
            "statuses": ProgressStatus.choices,
            "by_choices": by_choices,
            "runs": ProgressRun.objects.order_by("-started_at")[:5],
            "last_run": sel.last_run(),
            "query": request.GET.urlencode(),
            "can_compute": can(request.user, "progress.compute"),
        },
    )


@capability_required("progress.view_hospital")
def hospital(request):
    rows = (
        sel.cycle_rows(request.user)
        .filter(hospital_id=request.user.organization_id)
        .order_by("tender__code", "lot__number")
    )
    notes = Notification.objects.filter(organization_id=request.user.organization_id).order_by("-created_at")
    recent = sel.with_live_progress(list(notes[:20]), rows)
    return render(
        request,
        "procurement/progress/hospital.html",
        {
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "summary": sel.rollup(rows, "hospital"),
            "notes": recent,
            "unread": notes.filter(read_at__isnull=True).count(),
            "last_run": sel.last_run(),
        },
    )


@require_POST
@capability_required("progress.view_hospital")
def notifications_read(request):
    Notification.objects.filter(organization_id=request.user.organization_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("progress:hospital")


@capability_required("progress.view_manufacturer")
def manufacturer(request):
    rows = sel.cycle_rows(request.user).filter(manufacturer_id=request.user.organization_id)
    return render(
        request,
        "procurement/progress/manufacturer.html",
        {
            "tenders": sel.manufacturer_rows(request.user),
            "lots": sel.rollup(rows, "lot"),
            "regions": sel.rollup(rows, "region"),
            "last_run": sel.last_run(),
        },
    )


def commitment(request, pk: int):
    if not any(
        can(request.user, c) for c in ("progress.view_all", "progress.view_hospital", "progress.view_manufacturer")
    ):
        raise Http404
    months = list(sel.month_rows(request.user, pk).select_related("commitment__product"))
    cycle = sel.cycle_rows(request.user).filter(commitment_id=pk).first()
    if cycle is None:  # not computed yet, or not the user's to see
        raise Http404
    return render(
        request,
        "procurement/progress/commitment.html",
        {
            "row": cycle,
            "months": months,
            "chart": sel.chart(months),
        },
    )


@capability_required("progress.view_all")
def export(request):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("约定采购量完成进度"))
    ws.append([str(h) for h in HEADERS])
    for row in (
        sel.cycle_rows(request.user, _params(request))
        .order_by("tender__code", "lot__number", "hospital__name")
        .iterator(2000)
    ):
        ws.append(row_values(row))
    name = f"commitment-progress-{datetime.now():%Y%m%d}.xlsx"
    return FileResponse(
        temp_xlsx(wb),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


app_name = "progress"

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("export.xlsx", export, name="export"),
    path("hospital/", hospital, name="hospital"),
    path("hospital/notifications/read/", notifications_read, name="notifications_read"),
    path("manufacturer/", manufacturer, name="manufacturer"),
    path("commitments/<int:pk>/", commitment, name="commitment"),
]
