"""Catalog pages: search and product detail (views.py), imports and exports (views_imports.py)."""

from . import views, views_imports

app_name = "catalog"

urlpatterns = views.urlpatterns + views_imports.urlpatterns
