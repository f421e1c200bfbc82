"""Pages of national and alliance batches (docs/national-batches.md): the import of a batch's published results
(`/tenders/import-results/`) and a follow-on tender of an ended one (`/tenders/{id}/follow-on/`). Officials with
`tender.manage`; each calls one service and shows its refusal on the form, with nothing written."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import capability_required
from common import jobs
from common.errors import DomainError
from common.importing import estimate_data_rows

from ..forms_tenders import FollowOnForm, ResultsImportForm
from ..services import batch_results
from ..services import tenders as svc
from ..services.batch_results import layout
from .tenders import MANAGE, show_error, visible_tender


@capability_required(MANAGE)
def results_import(request):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = ResultsImportForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if _large(data["lots_file"], data["file"]):  # imported by a worker; the job's page shows its progress
                job = jobs.start_with_files(
                    "tender.results_import",
                    by=request.user,
                    uploads={"lots_file": data["lots_file"], "file": data["file"]},
                    params={
                        "code": data["code"],
                        "name": data["name"],
                        "level": data["level"],
                        "cycle_start": data["cycle_start"].isoformat(),
                        "cycle_end": data["cycle_end"].isoformat(),
                        "dry_run": data["dry_run"],
                    },
                )
                return redirect("jobs:detail", pk=job.pk)
            report = batch_results.batch_results_import(
                by=request.user,
                code=data["code"],
                name=data["name"],
                level=data["level"],
                cycle_start=data["cycle_start"],
                cycle_end=data["cycle_end"],
                lots_content=data["lots_file"].read(),
                lots_filename=data["lots_file"].name,
                results_content=data["file"].read(),
                results_filename=data["file"].name,
                dry_run=data["dry_run"],
            )
        except DomainError as exc:
            show_error(form, exc)
            status = exc.status_code
        else:
            status = 200 if report.ok else 400
            if report.tender is not None:
                messages.success(request, _("已导入中选结果，开始报量：%(code)s") % {"code": report.tender.code})
                return redirect("tenders:detail", pk=report.tender.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "procurement/tenders/results_import.html",
        {
            "form": form,
            "report": report,
            "lot_columns": [aliases[0] for aliases in layout.LOT_COLUMNS.values()],
            "result_columns": [aliases[0] for aliases in layout.RESULT_COLUMNS.values()],
            "inline_max": settings.NATIONAL_RESULTS_INLINE_MAX_ROWS,
        },
        status=status,
    )


def _large(*uploads) -> bool:
    """Files of more data rows together than NATIONAL_RESULTS_INLINE_MAX_ROWS go to a background job; each upload is
    left at its start for whoever reads it next."""
    rows = 0
    for upload in uploads:
        rows += estimate_data_rows(upload.read(), name=upload.name) or 0
        upload.seek(0)
    return rows > settings.NATIONAL_RESULTS_INLINE_MAX_ROWS


@capability_required(MANAGE)
def follow_on(request, pk: int):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    tender = visible_tender(request, pk)
    form = FollowOnForm(
        request.POST or None, initial={"code": f"{tender.code}-JX", "name": f"{tender.name}（接续采购）"}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            new = svc.tender_follow_on_create(
                tender=tender, by=request.user, cap=data.pop("cap"), cap_factor=data.pop("cap_factor") or None, **data
            )
        except DomainError as exc:
            show_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("已创建接续采购批次 %(code)s") % {"code": new.code})
            return redirect("tenders:detail", pk=new.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "procurement/tenders/follow_on.html", {"form": form, "tender": tender}, status=status)
