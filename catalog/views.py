"""Catalog pages: search and product detail."""

urlpatterns: list = []
