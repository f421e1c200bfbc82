"""Settlement pages for the fund officer, manufacturer and hospital portals."""

from .views import app_name, urlpatterns  # noqa: F401
