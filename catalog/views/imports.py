"""Catalog import and export pages. Thin: the rules are in catalog.imports and catalog.layouts."""

from __future__ import annotations

import itertools

from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import capability_required
from common.errors import DomainError
from common.numbers import param_id

from ..codes import Category
from ..imports import export, jobs
from ..layouts import LAYOUTS, get_layout, layout_choices
from ..models import ImportJob, InsuranceClass

IMPORT = "catalog.import"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        help_text=_("Excel 工作簿（.xlsx）或 UTF-8 编码的 CSV"),
        error_messages={"empty": _("文件为空")},
    )  # the same words as the command and the report
    layout = forms.ChoiceField(label=_("模板"), choices=layout_choices)
    dry_run = forms.BooleanField(label=_("仅校验，不写入"), required=False)


@capability_required(IMPORT)
def import_list(request):
    page = Paginator(jobs.import_jobs_visible_to(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "catalog/imports/list.html", {"page": page})


@capability_required(IMPORT)
def import_new(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.import_job_create(
                by=request.user,
                upload=form.cleaned_data["file"],
                layout=form.cleaned_data["layout"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("catalog:import-detail", pk=job.pk)
    layouts = [(key, layout.label, layout.headers, layout.required_headers) for key, layout in LAYOUTS.items()]
    return render(
        request, "catalog/imports/new.html", {"form": form, "layouts": layouts, "inline_max": jobs.inline_max_rows()}
    )


def _job(request, pk: int) -> ImportJob:
    return get_object_or_404(jobs.import_jobs_visible_to(request.user), pk=pk)


@capability_required(IMPORT)
def import_detail(request, pk: int):
    job = _job(request, pk)
    status = request.GET.get("status", "")
    page = jobs.import_job_report_page(job, status=status, page=request.GET.get("page"))
    return render(
        request,
        "catalog/imports/detail.html",
        {
            "job": job,
            "progress": jobs.import_job_progress(job),
            "page": page,
            "status": status,
            "statuses": [
                ("", _("全部")),
                ("error", _("错误")),
                ("new", _("新增")),
                ("changed", _("变更")),
                ("unchanged", _("未变")),
            ],
        },
    )


@never_cache
@capability_required(IMPORT)
def import_progress(request, pk: int):
    return JsonResponse(jobs.import_job_progress(_job(request, pk)))


@capability_required(IMPORT)
def import_errors(request, pk: int):
    job = _job(request, pk)
    if not job.report_file and not job.message:
        raise Http404
    rows = [_report_headers()]
    rows += [_report_row(line) for line in jobs.import_job_report_lines(job, status="error")]
    if job.status == ImportJob.Status.FAILED and len(rows) == 1 and job.message:
        rows.append(["", "", str(_("错误")), job.message])  # a file-level problem found before any row was read
    return _download(rows, f"导入错误-{job.pk}", request.GET.get("format", "csv"), sheet_title=str(_("错误")))


@capability_required(IMPORT)
def import_report(request, pk: int):
    """The whole per-row report, through the page's permission check (media files are not served publicly)."""
    job = _job(request, pk)
    if not job.report_file:
        raise Http404
    rows = (_report_row(line) for line in jobs.import_job_report_lines(job))
    return _download(
        itertools.chain([_report_headers()], rows),
        f"导入报告-{job.pk}",
        request.GET.get("format", "csv"),
        sheet_title=str(_("逐行报告")),
    )


def _report_headers() -> list[str]:
    return [str(_("行号")), str(_("医保代码")), str(_("结果")), str(_("说明"))]


def _report_row(line) -> list:
    # the stored report keeps the Chinese result word (新增/变更/未变/错误); the download shows it in the user's language
    return [line.row or "", line.code, gettext(line.label), line.detail]


def _flag(value: str | None) -> bool | None:
    if value in (None, "", "all"):
        return None
    return value.lower() in ("1", "true", "yes", "on", "是")


@require_GET
def product_export(request):
    """Any catalog search (same parameters as the search) as a file in one of the import layouts."""
    params = request.GET
    try:
        layout = get_layout(params.get("layout", "nhsa"))
    except ValueError:
        raise Http404
    insurance = params.get("insurance_class") or None  # empty: any class
    if insurance in ("none", "0", "-"):
        insurance = InsuranceClass.NONE.value  # 非医保
    elif insurance not in (InsuranceClass.A, InsuranceClass.B):
        insurance = None
    category = params.get("category") if params.get("category") in Category.values else None
    queryset = export.products_for_export(
        user=request.user,
        layout=layout,
        q=params.get("q", ""),
        category=category,
        insurance_class=insurance,
        high_value=_flag(params.get("high_value")),
        shortage=_flag(params.get("shortage")),
        manufacturer_id=param_id(params, "manufacturer_id", form=True),
        active=True if params.get("active") is None else _flag(params.get("active")),
    )
    base = f"目录导出-{layout.key}-{timezone.localtime():%Y%m%d-%H%M}"
    return _download(
        export.layout_rows(queryset, layout), base, params.get("format", "csv"), sheet_title=layout.sheet_name
    )


def _download(rows, base: str, fmt: str, *, sheet_title: str):
    if fmt == "xlsx":
        handle = export.xlsx_file(rows, sheet_title=sheet_title)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{base}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(export.csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{base}.csv")
    return response


urlpatterns = [
    path("imports/", import_list, name="import-list"),
    path("imports/new/", import_new, name="import-new"),
    path("imports/<int:pk>/", import_detail, name="import-detail"),
    path("imports/<int:pk>/progress", import_progress, name="import-progress"),
    path("imports/<int:pk>/errors", import_errors, name="import-errors"),
    path("imports/<int:pk>/report", import_report, name="import-report"),
    path("export/", product_export, name="product-export"),
]
