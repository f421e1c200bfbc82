"""Catalog pages, one module per area: search and product detail (products), imports and exports (imports)."""

from . import imports, products

urlpatterns = products.urlpatterns + imports.urlpatterns
