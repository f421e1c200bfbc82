"""Catalog import and export pages."""

urlpatterns: list = []
