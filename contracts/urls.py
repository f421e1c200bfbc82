"""Contract pages (mounted at /contracts/ by config/urls.py)."""

from .views import app_name, urlpatterns  # noqa: F401
