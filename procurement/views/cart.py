"""The purchaser's ordering pages before an order is submitted: the 挂网采购 search (category filter, sort, pages)
and the cart (one draft per distributor, saved, submitted or deleted here). Thin: the rules are in
procurement.services.orders."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization
from accounts.permissions import capability_required
from catalog.codes import Category
from catalog.hooks import product_warnings
from catalog.identity import identity
from common import tables
from common.errors import DomainError
from common.formmemory import remember
from common.numbers import param_id, parse_int

from ..models import Listing, PurchaseOrder
from ..selectors import orders as order_selectors
from ..services import orders as svc

S = PurchaseOrder.Status


SEARCH_COLUMNS = [
    tables.Column("name", gettext_lazy("产品"), "product.generic_name", sort="product__generic_name"),
    tables.Column("manufacturer", gettext_lazy("生产企业"), "manufacturer.name", sort="manufacturer__name"),
    tables.Column("unit_price", gettext_lazy("挂网价（每最小制剂单位）"), sort="unit_price"),
    tables.Column("pack_price", gettext_lazy("挂网价（每包装）"), sort="pack_price"),
]


@capability_required("order.place")
def listing_search(request):
    """The 挂网采购 page: the listings a hospital may order, searched, filtered by category, sorted and paginated."""
    q = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    listings = order_selectors.listings_to_order(request.user, q=q)
    if category in Category.values:
        listings = listings.filter(product__category=category)
    else:
        category = ""
    listing = tables.Listing(
        request,
        listings,
        SEARCH_COLUMNS,
        default_sort="name",
        default_order=("product__generic_name", "product__specification", "unit_price", "pk"),
    )
    page = listing.page
    hospital = request.user.organization
    distributors = order_selectors.distributors_for_listings(hospital=hospital, listings=page.object_list)
    alternatives = order_selectors.selected_alternatives(hospital_id=hospital.pk, listings=page.object_list)
    warnings = product_warnings((x.product_id for x in page.object_list), html=True)
    rows = [
        {
            "listing": x,
            "distributors": distributors.get(x.pk, []),
            "alternative": alternatives.get(x.pk),
            "warnings": warnings.get(x.product_id, []),
        }
        for x in page.object_list
    ]
    return render(
        request,
        "procurement/orders/search.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "category": category,
            "categories": Category.choices,
            "listing": listing,
            "query_string": listing.query_with(),
        },
    )


@capability_required("order.place")
def cart_add(request):
    if request.method != "POST":
        return redirect("orders:search")
    # the numbers of the form, parsed as every form's (full-width digits folded); a bad one is a 400 naming the field
    listing = Listing.objects.filter(pk=param_id(request.POST, "listing", form=True) or 0).first()
    distributor = Organization.objects.filter(pk=param_id(request.POST, "distributor", form=True) or 0).first()
    packs = parse_int(request.POST.get("packs", ""), field="packs", label=_("采购数量"), form=True)
    if listing is None:
        raise Http404
    try:
        svc.cart_add(by=request.user, listing=listing, distributor=distributor, packs=packs)
        messages.success(
            request, _("已加入购物车：%(name)s") % {"name": identity(listing.product, maker=listing.manufacturer)}
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    # back to the page the form was on, if it is one of ours (never an address posted from elsewhere)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("orders:cart")


@capability_required("order.place")
def cart(request):
    drafts = order_selectors.orders_visible_to(request.user).filter(status=S.DRAFT, hospital=request.user.organization)
    drafts = drafts.prefetch_related(
        "lines__product",
        "lines__manufacturer",
        "lines__substitution_for__product",
        "lines__substitution_for__manufacturer",
    ).order_by("-created_at")
    if request.method == "POST":
        order = drafts.filter(pk=param_id(request.POST, "order", form=True) or 0).first()
        if order is None:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "cancel":
                svc.order_cancel(order=order, by=request.user, version=request.POST.get("version"))
                messages.success(request, _("草稿已删除"))
                return redirect("orders:cart")
            lines = [
                {"listing": line.listing_id, "packs": request.POST.get(f"packs-{line.pk}", str(line.packs))}
                for line in order.lines.all()
            ]
            order = svc.order_update_draft(
                order=order,
                by=request.user,
                lines=lines,
                urgent=bool(request.POST.get("urgent")),
                remarks=request.POST.get("remarks", ""),
                version=request.POST.get("version"),
            )
            if action == "submit":
                svc.order_submit(order=order, by=request.user)
                messages.success(request, _("订单 %(number)s 已提交，等待配送企业响应") % {"number": order.number})
                return redirect("orders:detail", order.pk)
            messages.success(request, _("购物车已保存"))
        except DomainError as exc:
            messages.error(request, exc.summary)  # with several refusals, all of them (each also beside its input)
            order_lines = list(order.lines.all())

            def input_of(name: str) -> str:
                # the service names a line `lines[i].packs` (or its listing); its input here is `packs-<line id>`
                match = re.fullmatch(r"lines\[(\d+)\]\.\w+", name)
                if match and int(match.group(1)) < len(order_lines):
                    return f"packs-{order_lines[int(match.group(1))].pk}"
                return name

            remember(request, f"cart-{order.pk}", exc, inputs=input_of)
        return redirect("orders:cart")
    return render(request, "procurement/orders/cart.html", {"drafts": drafts})
