"""Pages of credit records (officials: list, entry, repair) and a company's own credit standing."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.models import Organization
from accounts.permissions import can, capability_required
from catalog.models import Product
from common.errors import DomainError, Refusals, ValidationFailed
from common.formmemory import remember
from common.money import to_decimal
from common.numbers import param_id
from common.tables import Column, Listing

from .. import credit_schemes, selectors
from ..errors import PricingError
from ..models import CreditRecord
from ..services import credit as credit_svc

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
    found = Refusals()  # what this page parses, refused together with the service's own checks
    try:
        organization = Organization.objects.filter(pk=param_id(post, "organization", form=True) or 0).first()
        codes = [c.strip() for c in post.get("products", "").replace("，", ",").split(",") if c.strip()]
        products = list(Product.objects.filter(nhsa_code__in=codes))
        with found.check():
            if len(products) != len(set(codes)):
                raise ValidationFailed(_("涉及产品代码有误"), field="products", code=PricingError.PRODUCT_UNKNOWN)
        amount = "0"
        with found.check():
            amount = to_decimal(post.get("amount") or "0", field="amount", form=True)
        alert = None
        if post.get("alert"):
            alert = selectors.alerts_visible_to(request.user).filter(pk=param_id(post, "alert", form=True)).first()
        credit_svc.credit_record_create(
            organization=organization,
            behaviour=post.get("behaviour", ""),
            scheme=post.get("scheme", "2020"),
            level=post.get("level", ""),
            amount=amount,
            evidence=post.get("evidence", ""),
            start=post.get("start"),
            end=post.get("end") or None,
            products=products,
            alert=alert,
            by=request.user,
            refusals=found,
        )
        messages.success(request, _("信用评价记录已录入"))
    except DomainError as exc:
        messages.error(request, exc.summary)
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
