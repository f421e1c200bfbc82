"""Tender pages for the official, manufacturer and hospital portals."""

from ..views.tenders import app_name, urlpatterns  # noqa: F401
