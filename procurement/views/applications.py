"""Pages of listing applications (挂网申报 / 调价 / 撤网). Manufacturer: my applications with their states, a new
application (with the product's price basis shown), edit and resubmit a draft or returned one. Official: the review
queue with filters, the detail with the price basis and the linkage flag, approve / return / refuse. Thin: the rules
are in procurement.services.applications."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can
from common.errors import DomainError
from common.models import events_for
from common.numbers import param_id

from ..forms_applications import ApplicationForm
from ..models import ListingApplication
from ..selectors import applications as selectors
from ..services import applications as svc
from .tenders import show_error

K = ListingApplication.Kind
S = ListingApplication.Status
REVIEW_ACTIONS = ("approve", "return", "refuse")


def _may_see(user) -> None:
    if not (can(user, "listing.apply") or can(user, "listing.manage")):
        raise PermissionDenied


def application_list(request):
    """A manufacturer's applications, or an official's review queue (default: awaiting review)."""
    _may_see(request.user)
    reviewer = can(request.user, "listing.manage")
    params = request.GET.copy()
    if reviewer and "status" not in params:
        params["status"] = S.SUBMITTED
    rows = selectors.applications_filter(selectors.applications_visible_to(request.user), params)
    page = Paginator(rows.order_by("-submitted_at", "-created_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/applications/list.html",
        {
            "page": page,
            "reviewer": reviewer,
            "params": params,
            "statuses": S.choices,
            "kinds": K.choices,
            "query_string": params.urlencode(),
        },
    )


def _input(form: ApplicationForm) -> svc.ApplicationInput:
    data = form.cleaned_data
    document = data.get("document")
    return svc.ApplicationInput(
        kind=form.kind,
        product=data.get("product"),
        listing=data.get("listing"),
        pack_price=data.get("pack_price") or None,
        valid_from=data.get("valid_from"),
        valid_to=data.get("valid_to"),
        evidence=data.get("evidence", ""),
        reason=data.get("reason", ""),
        justification=data.get("justification", ""),
        distributors=list(data.get("distributors") or []),
        regions=list(data.get("regions") or []),
        documents=[document] if document else [],
    )


def _basis_for(form: ApplicationForm, application: ListingApplication | None, request) -> dict | None:
    """The price basis to show beside the form: of the product chosen (GET ?product= or the form's)."""
    product = None
    if form.kind == K.NEW:
        product_id = param_id(request.GET, "product", form=True) if request.method == "GET" else None
        product = form.fields["product"].queryset.filter(pk=product_id).first() if product_id else None
    if product is None and application is not None and application.kind != K.DELIST:
        product = application.product
    return selectors.price_basis(product, on=timezone.localdate()) if product else None


def _save(request, form: ApplicationForm, application: ListingApplication | None):
    submit = request.POST.get("action") == "submit"
    try:
        if application is None:
            application = svc.listing_application_create(by=request.user, data=_input(form), submit=submit)
        else:
            application = svc.listing_application_update(
                application=application, by=request.user, data=_input(form), submit=submit
            )
    except DomainError as exc:
        show_error(form, exc)
        return None
    messages.success(request, _("申请已提交，等待审核") if submit else _("草稿已保存"))
    return redirect("listings:detail", pk=application.pk)


def _initial(application: ListingApplication) -> dict:
    return {
        "product": application.product_id,
        "listing": application.listing_id,
        "pack_price": application.pack_price or "",
        "valid_from": application.valid_from,
        "valid_to": application.valid_to,
        "distributors": list(application.distributors.all()),
        "regions": list(application.regions.all()),
        "evidence": application.evidence,
        "reason": application.reason,
        "justification": application.justification,
    }


def application_form(request, pk: int | None = None):
    """New application (`?kind=new|price_change|delist`, `&product=` or `&listing=`), or edit one (draft/returned)."""
    if not can(request.user, "listing.apply"):
        raise PermissionDenied
    application = None
    if pk is not None:
        application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
        kind = application.kind
    else:
        kind = request.GET.get("kind", K.NEW)
        kind = kind if kind in K.values else K.NEW
    org = request.user.organization_id
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, kind=kind, manufacturer_id=org)
        if form.is_valid() and (response := _save(request, form, application)) is not None:
            return response
    else:
        initial = _initial(application) if application else {k: request.GET.get(k) for k in ("product", "listing")}
        form = ApplicationForm(initial=initial, kind=kind, manufacturer_id=org)
    return render(
        request,
        "procurement/applications/form.html",
        {
            "form": form,
            "kind": kind,
            "kinds": K,
            "application": application,
            "basis": _basis_for(form, application, request),
        },
    )


def _act(request, application: ListingApplication):
    action, note = request.POST.get("action", ""), request.POST.get("note", "")
    if action == "submit":
        svc.listing_application_submit(application=application, by=request.user)
    elif action == "approve":
        svc.listing_application_approve(application=application, by=request.user, note=note)
    elif action == "return":
        svc.listing_application_return(application=application, by=request.user, note=note)
    elif action == "refuse":
        svc.listing_application_refuse(application=application, by=request.user, note=note)
    else:
        raise PermissionDenied


def application_detail(request, pk: int):
    _may_see(request.user)
    application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    if request.method == "POST":
        try:
            _act(request, application)
            messages.success(request, _("操作成功"))
            return redirect("listings:detail", pk=pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        application.refresh_from_db()
    return render(
        request,
        "procurement/applications/detail.html",
        {
            "a": application,
            "reviewer": can(request.user, "listing.manage"),
            "applicant": can(request.user, "listing.apply"),
            "editable": application.status in ListingApplication.EDITABLE_STATUSES,
            "events": events_for(application).order_by("at", "pk"),
            "history": application.history.order_by("-history_date")[:20],
        },
    )


app_name = "listings"
urlpatterns = [
    path("applications/", application_list, name="list"),
    path("applications/new/", application_form, name="new"),
    path("applications/<int:pk>/", application_detail, name="detail"),
    path("applications/<int:pk>/edit/", application_form, name="edit"),
]
