"""Traceability pages for distributors, hospitals and officials."""

from .views import app_name, urlpatterns  # noqa: F401
