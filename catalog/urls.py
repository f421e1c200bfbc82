"""Catalog pages (catalog.views: products, imports)."""

from .views import urlpatterns  # noqa: F401 - the pages' routes

app_name = "catalog"
