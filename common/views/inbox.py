"""The inbox (站内通知): every portal's notifications, unread first in the header badge."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .. import notifications as notes
from ..tables import Column, Listing

COLUMNS = [
    Column("created_at", _("时间"), sort="created_at"),
    Column("kind", _("类别"), value=lambda n: notes.kind_label(n.kind), sort="kind"),
    Column("level", _("级别"), value="get_level_display", sort="level"),
    Column("title", _("标题"), sort="title"),
    Column("body", _("内容")),
    Column("read_at", _("已读时间"), sort="read_at"),
]


def inbox(request):
    params = {
        "kind": request.GET.get("kind", ""),
        "unread": request.GET.get("unread", ""),
        "q": request.GET.get("q", "").strip(),
    }
    qs = notes.search(
        notes.visible_to(request.user),
        kind=params["kind"] if params["kind"] in notes.KINDS else "",
        unread=bool(params["unread"]),
        q=params["q"],
    )
    listing = Listing(request, qs, COLUMNS, default_sort="-created_at", export_name=str(_("站内通知")))
    if listing.wants_export:
        return listing.export()
    hidden = set(notes._hidden_kinds(request.user))
    return render(
        request,
        "common/inbox.html",
        {
            "listing": listing,
            "page": listing.page,
            "params": params,
            "kinds": [(k, label) for k, (label, _cap) in notes.KINDS.items() if k not in hidden],
        },
    )


def inbox_open(request, pk: int):
    """Open a notification: mark it read and follow its link (only a link inside the platform)."""
    note = get_object_or_404(notes.visible_to(request.user), pk=pk)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts=None):
        return redirect(note.link)
    return redirect("inbox:list")


@require_POST
def inbox_mark_read(request):
    ids = request.POST.getlist("ids")
    notes.mark_read(request.user, None if request.POST.get("all") else ids)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("inbox:list")


app_name = "inbox"
urlpatterns = [
    path("", inbox, name="list"),
    path("<int:pk>/", inbox_open, name="open"),
    path("read/", inbox_mark_read, name="mark-read"),
]
