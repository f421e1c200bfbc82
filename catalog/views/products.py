"""Catalog pages: search and product detail (every signed-in user)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _l

from accounts.permissions import can
from common.discovery import app_modules
from common.tables import Column, Listing

from .. import selectors
from ..codes import Category
from ..hooks import product_warnings
from ..models import Product

PRODUCT_COLUMNS = [
    Column("nhsa_code", _l("医保代码"), sort="nhsa_code"),
    Column("generic_name", _l("通用名"), sort="generic_name"),
    Column("manufacturer", _l("生产企业"), value="manufacturer.name", sort="manufacturer__name"),
    Column("category", _l("类别"), value="get_category_display", sort="category"),
    Column("insurance_class", _l("医保"), value="get_insurance_class_display", sort="insurance_class"),
]


def product_list(request):
    """Search results in relevance order until a column header is clicked; the exports (in the import layouts, so
    a file can be edited and imported again) are the catalog's own, at `product-export`."""
    params = selectors.search_params(request.GET)
    results = selectors.as_product_list(selectors.product_search(user=request.user, **params))
    listing = Listing(
        request, results, PRODUCT_COLUMNS, default_sort="generic_name", default_order=results.query.order_by
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/product_list.html",
        {
            "page": listing.page,
            "listing": listing,
            "params": params,
            "categories": Category.choices,
            "query_string": query.urlencode(),
            "can_import": can(request.user, "catalog.import"),
        },
    )


def product_detail(request, pk: int):
    try:
        product = selectors.product_detail(user=request.user, pk=pk)
    except Product.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "history": selectors.product_history(product),
            "warnings": product_warnings([product.pk], html=True).get(product.pk, []),
            # what apps built on the catalog show of the product (procurement: its listings and add-to-cart)
            "panels": [
                panel for _app, module in app_modules("product_panels") for panel in module.panels(request, product)
            ],
        },
    )


urlpatterns = [
    path("", product_list, name="product-list"),
    path("products/<int:pk>/", product_detail, name="product-detail"),
]
