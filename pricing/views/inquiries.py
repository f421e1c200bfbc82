"""Pages of the 函询 letters for the addressed manufacturer, distributor or hospital: list and reply."""

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
from ..services import alerts as alert_svc

INQUIRY_COLUMNS = [
    Column("number", _l("编号"), value="pk", sort="pk"),
    Column("product", _l("通用名"), value="alert.product.generic_name", sort="alert__product__generic_name"),
    Column("recipient", _l("函询对象"), value="recipient.name"),
    Column("sent_at", _l("发函时间"), sort="sent_at"),
    Column("reply_due", _l("回复期限"), sort="reply_due"),
    Column("replied_at", _l("回复时间"), sort="replied_at"),
    Column("letter", _l("函询内容")),
    Column("reply", _l("回复内容")),
]


@capability_required("pricing.answer_inquiry")
def inquiry_list(request):
    """Unanswered first, newest first, until a sort link is picked."""
    listing = Listing(
        request,
        selectors.inquiries_visible_to(request.user),
        INQUIRY_COLUMNS,
        default_sort="-sent_at",
        per_page=20,
        default_order=("replied_at", "-sent_at"),
        export_name=str(_("价格函询")),
    )
    if listing.wants_export:
        return listing.export()
    return render(request, "pricing/inquiry_list.html", {"page": listing.page, "listing": listing})


@require_POST
@capability_required("pricing.answer_inquiry")
def inquiry_reply(request, pk: int):
    inquiry = get_object_or_404(selectors.inquiries_visible_to(request.user), pk=pk)
    try:
        alert_svc.inquiry_reply(
            inquiry=inquiry,
            reply=request.POST.get("reply", ""),
            by=request.user,
            reply_file=request.FILES.get("reply_file"),
        )
        messages.success(request, _("回复已提交"))
    except DomainError as exc:
        messages.error(request, exc.message)
        remember(request, f"reply-{inquiry.pk}", exc)
    return redirect("pricing:inquiry-list")
