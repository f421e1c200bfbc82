"""Pages of price monitoring: the officials' alert inbox and alert page (chart, evidence, review actions), credit
records, shortage alerts and imports; the inquiries addressed to a company or hospital, and a company's credit."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.models import Organization, Region, User
from accounts.permissions import can, capability_required
from catalog.models import Product
from common import jobs
from common.errors import DomainError, ValidationFailed
from common.formmemory import remember
from common.importing import estimate_data_rows, inline_max_rows
from common.models import events_for
from common.money import to_decimal
from common.numbers import param_id, param_ids, parse_int
from common.tables import Column, Listing

from . import credit_schemes, policies, selectors
from .detectors import labels as detector_labels
from .errors import PricingError
from .models import CreditRecord, PriceAlert, ShortageAlert
from .services import alerts as alert_svc
from .services import credit as credit_svc
from .services import imports as import_svc
from .services import shortage as shortage_svc

FILTER_KEYS = selectors.ALERT_FILTERS


def _officials():
    return (
        User.objects.filter(is_active=True, organization__kind="agency", roles__code="pricing_official")
        .distinct()
        .order_by("username")
    )


def _parse_date(value: str, label: str, field: str | None = None) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("%(label)s必须是日期") % {"label": label}, field=field, code=PricingError.DATE_INVALID
        ) from None


ALERT_COLUMNS = [
    Column("number", _l("编号"), value="pk", sort="pk"),
    Column("kinds", _l("预警信号"), value=lambda a: "、".join(detector_labels().get(k, k) for k in a.kinds)),
    Column("level", _l("严重程度"), value="get_severity_display", sort="score"),
    Column("score", _l("风险评分"), sort="score"),
    Column("status", _l("状态"), value="get_status_display", sort="status"),
    Column("nhsa_code", _l("产品代码"), value="product.nhsa_code"),
    Column("product", _l("通用名"), value="product.generic_name", sort="product__generic_name"),
    Column(
        "hospital", _l("医疗机构"), value=lambda a: a.hospital.name if a.hospital else _("全区"), sort="hospital__name"
    ),
    Column("period_start", _l("期间起"), sort="period_start"),
    Column("period_end", _l("期间止")),
    Column("months", _l("异常月数"), sort="months"),
    Column("observed_price", _l("监测价格")),
    Column("reference_value", _l("参照价格")),
    Column("deviation_value", _l("偏离程度"), value="deviation", sort="deviation"),
    Column("amount_at_stake", _l("涉及金额"), sort="amount_at_stake"),
    Column("assignee", _l("经办人"), value="assignee.username", sort="assignee__username"),
    Column("summary", _l("摘要")),
    Column("disposition", _l("处置结果"), value="get_disposition_display"),
    Column("resolution_note", _l("处置说明")),
]


@capability_required("pricing.view")
def alert_list(request):
    params = {k: request.GET.get(k, "") for k in FILTER_KEYS}
    if "status" not in request.GET:
        params["status"] = "active"
    params["kind"] = params["kind"] or params["detector"]
    if params["sort"] not in selectors.SORTS:  # a column header's sort, which the listing applies
        params["sort"] = ""
    alerts = selectors.alerts_filter(selectors.alerts_visible_to(request.user), params, user=request.user, form=True)
    size = request.GET.get("page_size", "")
    size = min(parse_int(size, field="page_size", min_value=1, form=True), 500) if size.strip() else 50
    # the presets of the "sort" menu (severity first by default) order the list until a column header is clicked
    listing = Listing(
        request,
        alerts,
        ALERT_COLUMNS,
        default_sort="number",
        per_page=size,
        export_name=str(_("价格预警")),
        default_order=selectors.SORTS.get(params["sort"], selectors.SORTS["severity"]),
    )
    if listing.wants_export:
        return listing.export()
    page = listing.page
    labels = detector_labels()
    for alert in page:
        alert.kind_labels = [labels.get(k, k) for k in alert.kinds]
    return render(
        request,
        "pricing/alert_list.html",
        {
            "page": page,
            "listing": listing,
            "params": params,
            "detectors": detector_labels(),
            "statuses": [("active", _("未办结（全部）")), *PriceAlert.Status.choices, ("closed", _("已办结（全部）"))],
            "groups": selectors.alert_groups(alerts, params["group"]) if params["group"] else None,
            "severities": PriceAlert.Severity.choices,
            "regions": Region.objects.filter(parent__isnull=True).order_by("code"),
            "officials": _officials(),
            "can_review": can(request.user, "pricing.review"),
            "can_scan": can(request.user, "pricing.scan"),
            "sorts": [
                ("severity", _("严重程度")),
                ("amount", _("涉及金额")),
                ("deviation", _("偏离程度")),
                ("recent", _("最近发现")),
                ("oldest", _("最早发现")),
                ("period", _("期间")),
            ],
        },
    )


@require_POST
@capability_required("pricing.review")
def alert_bulk(request):
    ids = param_ids(request.POST, "alerts", form=True)
    try:
        if request.POST.get("action") == "assign":
            assignee = User.objects.filter(pk=param_id(request.POST, "assignee", form=True) or 0).first()
            alerts = alert_svc.alerts_bulk_assign(alert_ids=ids, assignee=assignee, by=request.user)
            messages.success(request, _("已指派 %(n)d 条预警") % {"n": len(alerts)})
        else:
            alerts = alert_svc.alerts_bulk_dismiss(
                alert_ids=ids, reason=request.POST.get("reason", ""), by=request.user
            )
            messages.success(request, _("已排除 %(n)d 条预警") % {"n": len(alerts)})
    except DomainError as exc:
        messages.error(request, exc.message)
        remember(request, "bulk", exc)
    return redirect(request.POST.get("next") or reverse("pricing:alert-list"))


@capability_required("pricing.view")
def alert_detail(request, pk: int):
    alert = get_object_or_404(selectors.alerts_visible_to(request.user), pk=pk)
    history = selectors.price_history(alert)
    months = selectors.case_months(alert, history)
    recipients = Organization.objects.filter(pk__in=[x for x in (alert.hospital_id, alert.manufacturer_id) if x])
    return render(
        request,
        "pricing/alert_detail.html",
        {
            "alert": alert,
            "kind_labels": [detector_labels().get(k, k) for k in alert.kinds],
            "months": months,
            "letter": selectors.inquiry_letter(alert, months),
            "actions": policies.alert_allowed_actions(request.user, alert),
            "chart": selectors.price_chart(history),
            "history": history,
            "events": events_for(alert),
            "inquiries": alert.inquiries.select_related("recipient", "sent_by", "replied_by"),
            "interviews": alert.interviews.select_related("recorded_by"),
            "officials": _officials(),
            "recipients": recipients,
            "dispositions": PriceAlert.Disposition.choices,
            "can_review": can(request.user, "pricing.review"),
            "credit_warning": selectors.credit_warnings([alert.manufacturer_id]).get(alert.manufacturer_id),
        },
    )


@require_POST
@capability_required("pricing.review")
def alert_action(request, pk: int, step: str):
    alert = get_object_or_404(selectors.alerts_visible_to(request.user), pk=pk)
    post = request.POST
    version = parse_int(
        post.get("version") or "0", field="version", column=PriceAlert._meta.get_field("version"), form=True
    )
    try:
        if step == "assign":
            assignee = User.objects.filter(pk=param_id(post, "assignee", form=True) or 0).first()
            alert_svc.alert_assign(alert=alert, assignee=assignee, by=request.user, expected_version=version)
        elif step == "inquiry":
            recipient = Organization.objects.filter(pk=param_id(post, "recipient", form=True) or 0).first()
            alert_svc.alert_send_inquiry(
                alert=alert,
                recipient=recipient,
                letter=post.get("letter", ""),
                reply_due=_parse_date(post.get("reply_due"), _("回复期限"), "reply_due"),
                by=request.user,
                expected_version=version,
            )
        elif step == "interview":
            alert_svc.alert_record_interview(
                alert=alert,
                held_on=_parse_date(post.get("held_on"), _("约谈日期"), "held_on"),
                participants=post.get("participants", ""),
                minutes=post.get("minutes", ""),
                by=request.user,
                expected_version=version,
            )
        elif step == "resolve":
            alert_svc.alert_resolve(
                alert=alert,
                disposition=post.get("disposition", ""),
                note=post.get("note", ""),
                corrected_price=post.get("corrected_price") or None,
                by=request.user,
                expected_version=version,
            )
        elif step == "dismiss":
            alert_svc.alert_dismiss(
                alert=alert, reason=post.get("reason", ""), by=request.user, expected_version=version
            )
        else:
            raise Http404
        messages.success(request, _("已保存"))
    except DomainError as exc:
        messages.error(request, exc.message)
        remember(request, step, exc)
    return redirect("pricing:alert-detail", pk=alert.pk)


# --- inquiries for the addressed organisation ------------------------------------------------------------------


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


# --- credit --------------------------------------------------------------------------------------------------------


CREDIT_COLUMNS = [
    Column("organization", _l("企业"), value="organization.name", sort="organization__name"),
    Column("behaviour", _l("失信行为"), value="get_behaviour_display", sort="behaviour"),
    Column("level", _l("等级"), value="get_level_display", sort="level"),
    Column("scheme", _l("评级规则"), value="get_scheme_display"),
    Column("amount", _l("涉案金额"), sort="amount"),
    Column("start", _l("开始日期"), sort="start"),
    Column("end", _l("结束日期"), sort="end"),
    Column("status", _l("状态"), value="get_status_display", sort="status"),
    Column("evidence", _l("事实与依据")),
]


@capability_required("pricing.view")
def credit_list(request):
    records = selectors.credit_records_visible_to(request.user)
    status = request.GET.get("status", "active")
    if status:
        records = records.filter(status=status)
    listing = Listing(request, records, CREDIT_COLUMNS, default_sort="-start", export_name=str(_("信用评价记录")))
    if listing.wants_export:
        return listing.export()
    page = listing.page
    for record in page:
        record.rule = credit_schemes.level_rule(record.scheme, record.level)
    return render(
        request,
        "pricing/credit_list.html",
        {
            "page": page,
            "listing": listing,
            "status": status,
            "statuses": CreditRecord.Status.choices,
            "schemes": credit_schemes.SCHEMES,
            "behaviours": CreditRecord.Behaviour.choices,
            "can_manage": can(request.user, "pricing.credit_manage"),
            "companies": Organization.objects.filter(kind__in=["manufacturer", "distributor"], is_active=True).order_by(
                "name"
            ),
        },
    )


@require_POST
@capability_required("pricing.credit_manage")
def credit_create(request):
    post = request.POST
    try:
        organization = Organization.objects.filter(pk=param_id(post, "organization", form=True) or 0).first()
        codes = [c.strip() for c in post.get("products", "").replace("，", ",").split(",") if c.strip()]
        products = list(Product.objects.filter(nhsa_code__in=codes))
        if len(products) != len(set(codes)):
            raise ValidationFailed(_("涉及产品代码有误"), field="products", code=PricingError.PRODUCT_UNKNOWN)
        alert = None
        if post.get("alert"):
            alert = selectors.alerts_visible_to(request.user).filter(pk=param_id(post, "alert", form=True)).first()
        credit_svc.credit_record_create(
            organization=organization,
            behaviour=post.get("behaviour", ""),
            scheme=post.get("scheme", "2020"),
            level=post.get("level", ""),
            amount=to_decimal(post.get("amount") or "0", field="amount", form=True),
            evidence=post.get("evidence", ""),
            start=post.get("start"),
            end=post.get("end") or None,
            products=products,
            alert=alert,
            by=request.user,
        )
        messages.success(request, _("信用评价记录已录入"))
    except DomainError as exc:
        messages.error(request, exc.message)
        remember(request, "credit", exc)
    return redirect("pricing:credit-list")


@require_POST
@capability_required("pricing.credit_manage")
def credit_repair(request, pk: int):
    record = get_object_or_404(selectors.credit_records_visible_to(request.user), pk=pk)
    try:
        credit_svc.credit_record_repair(record=record, note=request.POST.get("note", ""), by=request.user)
        messages.success(request, _("已信用修复"))
    except DomainError as exc:
        messages.error(request, exc.message)
        remember(request, f"repair-{record.pk}", exc, field="note")
    return redirect("pricing:credit-list")


@capability_required("pricing.own_credit")
def my_credit(request):
    records = selectors.credit_records_visible_to(request.user).order_by("-start")
    for record in records:
        record.rule = credit_schemes.level_rule(record.scheme, record.level)
    return render(
        request,
        "pricing/my_credit.html",
        {
            "status": selectors.credit_status(request.user.organization_id),
            "records": records,
        },
    )


# --- shortage, imports ------------------------------------------------------------------------------------------------


SHORTAGE_COLUMNS = [
    Column("product", _l("通用名"), value="product.generic_name", sort="product__generic_name"),
    Column("specification", _l("规格"), value="product.specification"),
    Column("nhsa_code", _l("产品代码"), value="product.nhsa_code", sort="product__nhsa_code"),
    Column("on_shortage_list", _l("短缺药品清单"), sort="on_shortage_list"),
    Column("reason", _l("原因"), value="get_reason_display", sort="reason"),
    Column("hospitals", _l("受影响机构"), value=lambda s: "、".join(h.name for h in s.hospitals.all())),
    Column("first_detected_on", _l("首次发现"), sort="first_detected_on"),
    Column("last_detected_on", _l("最近发现"), sort="last_detected_on"),
    Column("status", _l("状态"), value="get_status_display", sort="status"),
]


@capability_required("pricing.view")
def shortage_list(request):
    status = request.GET.get("status", "open")
    alerts = selectors.shortage_alerts_visible_to(request.user)
    if status:
        alerts = alerts.filter(status=status)
    listing = Listing(
        request,
        alerts,
        SHORTAGE_COLUMNS,
        default_sort="-last_detected_on",
        default_order=("-on_shortage_list", "-last_detected_on", "-pk"),
        export_name=str(_("短缺预警")),
    )
    if listing.wants_export:
        return listing.export()
    return render(
        request,
        "pricing/shortage_list.html",
        {"page": listing.page, "listing": listing, "status": status, "statuses": ShortageAlert.Status.choices},
    )


@require_POST
@capability_required("pricing.review")
def shortage_close(request, pk: int):
    alert = get_object_or_404(selectors.shortage_alerts_visible_to(request.user), pk=pk)
    try:
        shortage_svc.shortage_alert_close(alert=alert, note=request.POST.get("note", ""), by=request.user)
        messages.success(request, _("短缺预警已解除"))
    except DomainError as exc:
        messages.error(request, exc.message)
        remember(request, f"shortage-{alert.pk}", exc, field="note")
    return redirect("pricing:shortage-list")


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


app_name = "pricing"

urlpatterns = [
    path("alerts/", alert_list, name="alert-list"),
    path("alerts/bulk/", alert_bulk, name="alert-bulk"),
    path("alerts/<int:pk>/", alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/<slug:step>/", alert_action, name="alert-action"),
    path("inquiries/", inquiry_list, name="inquiry-list"),
    path("inquiries/<int:pk>/reply/", inquiry_reply, name="inquiry-reply"),
    path("credit/", credit_list, name="credit-list"),
    path("credit/new/", credit_create, name="credit-create"),
    path("credit/<int:pk>/repair/", credit_repair, name="credit-repair"),
    path("credit/mine/", my_credit, name="my-credit"),
    path("shortages/", shortage_list, name="shortage-list"),
    path("shortages/<int:pk>/close/", shortage_close, name="shortage-close"),
    path("imports/", imports, name="imports"),
]
