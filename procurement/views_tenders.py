"""Tender pages shared by the portals: the list and a tender's page (lots, dates with a countdown, and what the
viewer may see — a manufacturer its own bids with their digests, a hospital its demand and agreed volumes, officials
the bids' status). Prices appear only after opening."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone

from accounts.permissions import can, is_official

from . import selectors
from .models import Bid, Commitment, DemandReport


def tender_list(request):
    tenders = selectors.tenders_visible_to(request.user).order_by("-demand_start")
    status = request.GET.get("status", "")
    if status:
        tenders = tenders.filter(status=status)
    page = Paginator(tenders, 20).get_page(request.GET.get("page"))
    return render(request, "procurement/tenders/list.html", {"page": page, "status": status, "now": timezone.now()})


def tender_detail(request, pk: int):
    tender = get_object_or_404(selectors.tenders_visible_to(request.user), pk=pk)
    user = request.user
    bids = Bid.objects.none()
    if is_official(user):
        bids = Bid.objects.filter(tender=tender)
    elif can(user, "tender.bid"):
        bids = Bid.objects.filter(tender=tender, manufacturer_id=user.organization_id)
    demand = DemandReport.objects.none()
    commitments = Commitment.objects.none()
    if can(user, "tender.report_demand") and not is_official(user):
        demand = DemandReport.objects.filter(tender=tender, hospital_id=user.organization_id)
        commitments = Commitment.objects.filter(tender=tender, hospital_id=user.organization_id)
    elif is_official(user):
        commitments = Commitment.objects.filter(tender=tender)
    return render(
        request,
        "procurement/tenders/detail.html",
        {
            "tender": tender,
            "lots": tender.lots.order_by("number"),
            "bids": bids.select_related("lot", "manufacturer", "product").order_by("lot__number", "pk"),
            "demand": demand.select_related("lot", "named_product"),
            "commitments": commitments.select_related("lot", "hospital", "product").order_by("lot__number", "hospital__name")[:200],
            "now": timezone.now(),
        },
    )


app_name = "tenders"

urlpatterns = [
    path("", tender_list, name="list"),
    path("<int:pk>/", tender_detail, name="detail"),
]
