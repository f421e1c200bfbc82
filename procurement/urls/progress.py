"""Agreed-volume progress pages: the officials' dashboard, the hospital's and the manufacturer's views."""

from ..views.progress import app_name, urlpatterns  # noqa: F401
