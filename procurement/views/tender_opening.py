"""After the opening: the opening record with the "verify my bid" check, the bidder's own outcome, and the download of
the receipt shown at submission. Thin: reads come from procurement.selectors.tender_opening; nothing here writes."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import capability_required
from common.errors import DomainError

from ..forms_tenders import VerifyForm
from ..models import Bid
from ..selectors import tender_opening as opening
from ..selectors.tenders import OPENED_BID_STATUSES
from .tenders import show_error, visible_tender

BID = "tender.bid"
#: A receipt file is a few hundred bytes; a larger upload is not one (read no further).
MAX_RECEIPT_BYTES = opening.MAX_RECEIPT_CHARS * 4


def _own_opened_bids(request, tender):
    return (
        Bid.objects.filter(tender=tender, manufacturer_id=request.user.organization_id, status__in=OPENED_BID_STATUSES)
        .select_related("lot", "product")
        .order_by("lot__number", "pk")
    )


def _verify_inputs(request) -> dict:
    """What the bidder kept: the uploaded receipt, else the pasted one, else bid + price + nonce."""
    upload = request.FILES.get("receipt_file")
    if upload is not None:
        if upload.size > MAX_RECEIPT_BYTES:
            raise DomainError(_("回执文件过大，不是申报回执"), field="receipt_file")
        return {"receipt": upload.read(MAX_RECEIPT_BYTES)}
    pasted = request.POST.get("receipt", "").strip()
    if pasted:
        return {"receipt": pasted}
    return {
        "bid": request.POST.get("bid") or None,
        "price": request.POST.get("price", ""),
        "nonce": request.POST.get("nonce", ""),
    }


@require_http_methods(["GET", "POST"])
def tender_opening(request, pk: int):
    """The opening record (every opened bid's bidder and digest) for everyone who sees the tender, once opened; a
    manufacturer also verifies its own bids here. Before the opening: the date, nothing else."""
    tender = visible_tender(request, pk)
    ctx = {"tender": tender, "record": [], "not_opened": "", "verified": None}
    try:
        ctx["record"] = opening.opening_record(tender)
    except DomainError as exc:
        ctx["not_opened"] = exc.message
        return render(request, "procurement/tenders/opening.html", ctx)
    own = list(_own_opened_bids(request, tender)) if request.user.organization_id else []
    form = VerifyForm(request.POST or None, request.FILES or None, bids=own)
    status = 200
    if request.method == "POST":
        if not own:
            raise Http404  # only a bidder of this tender verifies here; another maker's bids are not found
        form.is_valid()  # cleaned, so that a refusal can be shown on its field
        try:
            ctx["verified"] = opening.verify_bid(request.user, **_verify_inputs(request))
        except DomainError as exc:
            show_error(form, exc)
            ctx["verify_error"] = exc.message
            status = exc.status_code
    ctx.update({"form": form if own else None, "own_ids": {b.pk for b in own}})
    return render(request, "procurement/tenders/opening.html", ctx, status=status)


@capability_required(BID)
def tender_my_bids(request, pk: int):
    """The bidder's own bids after the opening: prices, comparison prices, the rules, rank and reasons."""
    tender = visible_tender(request, pk)
    try:
        data = opening.own_bids_after_opening(tender, request.user)
    except DomainError as exc:
        return render(request, "procurement/tenders/my_bids.html", {"tender": tender, "not_opened": exc.message})
    return render(request, "procurement/tenders/my_bids.html", {"tender": tender, **data})


@require_POST
@capability_required(BID)
def bid_receipt_download(request, pk: int):
    """The receipt shown at submission, as a file: the page posts back what it showed; the platform checks it is the
    user's own bid's receipt (its digest recomputes to the recorded one) and returns it — it stores nothing."""
    tender = visible_tender(request, pk)
    try:
        receipt = opening.check_receipt(request.user, request.POST.get("receipt", ""))
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    if receipt["tender"] != tender.code:
        raise Http404
    body = json.dumps(receipt, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"bid-receipt-{receipt['tender']}-{receipt['lot']}-{receipt['bid']}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
