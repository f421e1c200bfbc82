"""Tender pages beyond the tender's own page: demand coverage, the evaluation review, the results and their export, and
the demand file import with its template (officials; the import also hospitals, for their own rows)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import can, capability_required
from catalog.imports.export import xlsx_file
from common import jobs
from common.errors import DomainError
from common.importing import estimate_data_rows, inline_max_rows

from ..forms_tenders import (
    DemandImportForm,
    EvaluateForm,
)
from ..selectors import tenders as tender_selectors
from ..selectors.tender_actions import (
    TenderRole,
    tender_allowed_actions,
    tender_role,
)
from ..services import tender_demand_import as demand_import_svc
from .tenders import MANAGE, show_error, visible_tender

# --- coverage, evaluation, results ------------------------------------------------------------------------------


@capability_required(MANAGE)
def tender_coverage(request, pk: int):
    tender = visible_tender(request, pk)
    coverage = tender_selectors.demand_coverage(tender)
    missing = Paginator(coverage["missing"], 50).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/tenders/coverage.html",
        {
            "tender": tender,
            "coverage": coverage,
            "page": missing,
            "actions": tender_allowed_actions(request.user, tender),
        },
    )


@capability_required(MANAGE)
def tender_evaluation(request, pk: int):
    tender = visible_tender(request, pk)
    runs = list(tender.evaluations.select_related("run_by").order_by("-run_no"))
    wanted = request.GET.get("run")
    run = next((r for r in runs if str(r.run_no) == wanted), None) or next((r for r in runs if r.is_current), None)
    review = tender_selectors.evaluation_review(run) if run else []
    return render(
        request,
        "procurement/tenders/evaluation.html",
        {
            "tender": tender,
            "runs": runs,
            "run": run,
            "review": review,
            "evaluate_form": EvaluateForm(prefix="evaluate"),
            "actions": tender_allowed_actions(request.user, tender, evaluated=any(r.is_current for r in runs)),
        },
    )


def tender_results(request, pk: int):
    tender = visible_tender(request, pk)
    if not tender_selectors.results_visible(tender, request.user):
        raise Http404
    return render(
        request,
        "procurement/tenders/results.html",
        {"tender": tender, "results": tender_selectors.tender_results(tender)},
    )


def tender_results_xlsx(request, pk: int):
    tender = visible_tender(request, pk)
    if not tender_selectors.results_visible(tender, request.user):
        raise Http404
    return _xlsx(
        f"{tender.code}-中选结果.xlsx",
        _("中选结果"),
        tender_selectors.RESULT_HEADERS,
        tender_selectors.result_rows(tender),
    )


def _xlsx(filename: str, sheet: str, headers: list[str], rows: list[list]) -> FileResponse:
    return FileResponse(
        xlsx_file([[str(h) for h in headers], *rows], sheet_title=str(sheet)),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- demand import --------------------------------------------------------------------------------------------


def _can_import_demand(user) -> bool:
    return can(user, "tender.report_demand") or can(user, MANAGE)


def demand_import(request, pk: int):
    if not _can_import_demand(request.user):
        raise PermissionDenied
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    tender = visible_tender(request, pk)
    form = DemandImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = upload.read()
            if (estimate_data_rows(content, name=upload.name) or 0) > inline_max_rows():
                upload.seek(0)  # a large file: imported by a worker, this page shows its progress bar
                job = jobs.start_with_file(
                    "tender.demand_import",
                    by=request.user,
                    upload=upload,
                    params={"tender": tender.pk, "dry_run": form.cleaned_data["dry_run"]},
                )
                return redirect("jobs:detail", pk=job.pk)
            report = demand_import_svc.demand_import(
                tender=tender,
                by=request.user,
                content=content,
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as exc:
            show_error(form, exc)
            status = exc.status_code
        else:
            status = 200 if report.ok else 400
            if report.written:
                messages.success(request, _("报量已导入：%(counts)s") % {"counts": _counts_text(report)})
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "procurement/tenders/demand_import.html",
        {
            "tender": tender,
            "form": form,
            "report": report,
            "headers": demand_import_svc.HEADERS,
            "own_hospital": tender_role(request.user) == TenderRole.HOSPITAL,
        },
        status=status,
    )


def _counts_text(report) -> str:
    labels = {"new": _("新增"), "changed": _("变更"), "unchanged": _("未变"), "error": _("错误")}
    return "，".join(f"{labels.get(k, k)} {v}" for k, v in report.counts().items())


def demand_template(request, pk: int):
    if not _can_import_demand(request.user):
        raise PermissionDenied
    tender = visible_tender(request, pk)
    hospital = request.user.organization if tender_role(request.user) == TenderRole.HOSPITAL else None
    return _xlsx(
        f"{tender.code}-报量模板.xlsx",
        "报量",
        demand_import_svc.HEADERS,
        demand_import_svc.demand_template_rows(tender, hospital=hospital),
    )
