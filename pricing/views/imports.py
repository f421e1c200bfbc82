"""The import page of price observations and reference prices."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import capability_required
from common import jobs
from common.errors import DomainError, ValidationFailed
from common.importing import estimate_data_rows, inline_max_rows

from ..errors import PricingError
from ..services import imports as import_svc


@capability_required("pricing.import")
def imports(request):
    report = None
    kind = request.POST.get("kind", "observations")
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed(_("请选择文件"), field="file", code=PricingError.FILE_REQUIRED)
            dry_run = bool(request.POST.get("dry_run"))
            content = upload.read()
            if (estimate_data_rows(content, name=upload.name) or 0) > inline_max_rows():
                upload.seek(0)  # a large file: imported by a worker, the job's page shows its progress bar
                job = jobs.start_with_file(
                    "pricing.import",
                    by=request.user,
                    upload=upload,
                    params={"kind": "references" if kind == "references" else "observations", "dry_run": dry_run},
                )
                return redirect("jobs:detail", pk=job.pk)
            if kind == "references":
                report = import_svc.reference_prices_import(
                    content=content, filename=upload.name, by=request.user, dry_run=dry_run
                )
            else:
                report, _batch = import_svc.observations_import(
                    content=content, filename=upload.name, by=request.user, dry_run=dry_run
                )
            if report.written:
                messages.success(request, _("导入成功"))
            elif report.ok:
                messages.info(request, _("校验通过（仅校验，未写入）"))
            else:
                messages.error(request, _("文件有错误，未导入任何数据"))
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "pricing/imports.html",
        {
            "report": report,
            "kind": kind,
            "observation_headers": import_svc.OBSERVATION_HEADERS + import_svc.OBSERVATION_OPTIONAL,
            "reference_headers": import_svc.REFERENCE_HEADERS + import_svc.REFERENCE_OPTIONAL,
        },
    )
