"""Catalog pages: search and product detail (every signed-in user)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from accounts.permissions import can

from . import selectors
from .codes import Category
from .hooks import product_warnings
from .models import Product


def product_list(request):
    params = selectors.search_params(request.GET)
    results = selectors.product_search(user=request.user, **params)
    page = Paginator(results, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/product_list.html",
        {
            "page": page,
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
        {"product": product, "history": selectors.product_history(product),
         "warnings": product_warnings([product.pk]).get(product.pk, [])},
    )


urlpatterns = [
    path("", product_list, name="product-list"),
    path("products/<int:pk>/", product_detail, name="product-detail"),
]
