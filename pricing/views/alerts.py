"""Pages of the alert cases: the inbox (checked filters, groups, bulk steps, export) and a case's page (months,
signals, observations, peers, chart, letter draft, the review steps the official may take)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.models import Organization, Region, User
from accounts.permissions import can, capability_required
from common.errors import DomainError, Refusals, ValidationFailed
from common.formmemory import remember
from common.messages import SOURCE_LANGUAGE
from common.numbers import param_id, param_ids, parse_int
from common.tables import Column, Listing

from .. import exports, policies, selectors
from ..detectors import labels as detector_labels
from ..errors import PricingError
from ..models import PriceAlert
from ..services import alerts as alert_svc

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
    Column("assignee", _l("经办人"), value="assignee", sort="assignee__display_name"),
    Column("summary", _l("摘要"), value="summary_text"),
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
    export = request.GET.get("format", "")
    if export:
        if export not in exports.FORMATS:
            raise selectors.unknown_filter("format", export)
        if export == "csv":
            return exports.alerts_csv(listing.queryset)
        return exports.alerts_xlsx(listing.queryset, exports.describe_filters(params, request.user))
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
            "export_csv_query": listing.query_with(format="csv"),
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


def _letter_draft(alert: PriceAlert, history) -> str:
    """The 函询 letter's draft, in Chinese whatever the reader's language: the letter goes to the hospital or company
    as written (the page marks its text box as Chinese)."""
    with translation.override(SOURCE_LANGUAGE):
        return selectors.inquiry_letter(alert, selectors.case_months(alert, history))


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
            "letter": _letter_draft(alert, history),
            "actions": policies.alert_allowed_actions(request.user, alert),
            "chart": selectors.price_chart(history),
            "history": history,
            "events": selectors.case_events(alert),
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
            found = Refusals()  # the date this page reads, refused together with the service's own checks
            recipient = None
            with found.check():
                recipient = Organization.objects.filter(pk=param_id(post, "recipient", form=True) or 0).first()
            reply_due = None
            with found.check():
                reply_due = _parse_date(post.get("reply_due"), _("回复期限"), "reply_due")
            alert_svc.alert_send_inquiry(
                alert=alert,
                recipient=recipient,
                letter=post.get("letter", ""),
                reply_due=reply_due,
                by=request.user,
                expected_version=version,
                refusals=found,
            )
        elif step == "interview":
            found = Refusals()
            held_on = None
            with found.check():
                held_on = _parse_date(post.get("held_on"), _("约谈日期"), "held_on")
            alert_svc.alert_record_interview(
                alert=alert,
                held_on=held_on,
                participants=post.get("participants", ""),
                minutes=post.get("minutes", ""),
                by=request.user,
                expected_version=version,
                refusals=found,
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
        messages.error(request, exc.summary)
        remember(request, step, exc)
    return redirect("pricing:alert-detail", pk=alert.pk)
