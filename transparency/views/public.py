"""Public pages (/public/…), no sign-in: tender announcements, opening records, candidate results with their notice
period, final results and listing results. Everything shown comes from transparency.selectors.public."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from common.errors import NotFoundError, ValidationFailed
from common.numbers import parse_id
from procurement.models import Tender

from ..selectors import public
from ..throttling import throttled_page

PAGE_SIZE = 50


@login_not_required
@require_safe
@throttled_page
def index(request):
    status = request.GET.get("status", "")
    if status not in Tender.Status.values or status == Tender.Status.DRAFT:
        status = ""
    page = Paginator(public.public_tenders(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = [(v, label) for v, label in Tender.Status.choices if v != Tender.Status.DRAFT]
    return render(request, "transparency/public/index.html", {"page": page, "status": status, "statuses": statuses})


@login_not_required
@require_safe
@throttled_page
def tender_detail(request, pk):
    try:
        tender = public.public_tender(parse_id(pk, field="id"))
    except (NotFoundError, ValidationFailed) as exc:  # a draft, or an id out of range: not found
        raise Http404 from exc
    return render(
        request,
        "transparency/public/tender.html",
        {
            "tender": public.announcement(tender),
            "opening": public.opening_record(tender),
            "candidates": public.candidates(tender),
            "results": public.final_results(tender),
        },
    )


@login_not_required
@require_safe
@throttled_page
def listings(request):
    q = (request.GET.get("q") or "").strip()[:50]
    page = Paginator(public.public_listings(q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{**public.listing_row(listing), "listing": listing} for listing in page]
    return render(request, "transparency/public/listings.html", {"page": page, "rows": rows, "q": q})
