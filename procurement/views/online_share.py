"""Pages of the online-purchase share (a hospital's own; officials per league or hospital) and of the off-platform
purchase import (mounted with the ordering pages, procurement.views.orders)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Region
from accounts.permissions import capability_required, is_official
from common.errors import DomainError
from common.numbers import param_id

from .. import online_share
from ..offplatform import HEADERS, REQUIRED, offplatform_import


@capability_required("online_share.view")
def share(request):
    today = timezone.localdate()
    try:
        date_from = date.fromisoformat(request.GET.get("date_from") or f"{today.year}-01-01")
        date_to = date.fromisoformat(request.GET.get("date_to") or today.isoformat())
    except ValueError:
        messages.error(request, _("日期格式应为 YYYY-MM-DD"))
        date_from, date_to = today.replace(month=1, day=1), today
    official = is_official(request.user)
    by = request.GET.get("by", "region") if official else "hospital"
    by = by if by in ("hospital", "region") else "region"
    region = request.GET.get("region", "")
    rows = online_share.online_share(
        date_from=date_from,
        date_to=date_to,
        by=by,
        per_month=request.GET.get("per_month") != "0",
        hospital_ids=None if official else [request.user.organization_id],
        region_id=param_id(request.GET, "region", form=True) if official else None,
    )
    return render(
        request,
        "procurement/orders/share.html",
        {
            "rows": rows,
            "date_from": date_from,
            "date_to": date_to,
            "by": by,
            "official": official,
            "regions": Region.objects.filter(level=Region.Level.LEAGUE_CITY),
            "region": region,
            "per_month": request.GET.get("per_month") != "0",
        },
    )


class OffPlatformForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件（xlsx 或 UTF-8 csv）"))
    dry_run = forms.BooleanField(label=gettext_lazy("仅校验，不导入"), required=False)


@capability_required("offplatform.import")
def offplatform_upload(request):
    form = OffPlatformForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report, batch = offplatform_import(
                by=request.user, data=upload.read(), name=upload.name, dry_run=form.cleaned_data["dry_run"]
            )
            if batch is not None:
                messages.success(request, _("已导入 %(n)s 行") % {"n": len(report.rows)})
            elif report.ok:
                messages.info(request, _("校验通过，未导入（仅校验）"))
            else:
                messages.error(request, _("文件有错误，未导入任何数据"))
        except DomainError as exc:
            form.add_error("file", exc.message)
    return render(
        request,
        "procurement/orders/offplatform.html",
        {
            "form": form,
            "report": report,
            "headers": HEADERS,
            "required": REQUIRED,
        },
    )
