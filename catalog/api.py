"""REST endpoints of this app, mounted under /api/v1/ by config/urls.py."""

from django.urls import path  # noqa: F401 - kept for endpoints added beside the router

# (prefix, viewset, basename) registered on the shared router.
routes: list[tuple] = []
urlpatterns: list = []
