"""Public OCDS endpoints, mounted at /api/ocds/ (config/urls.py)."""

from django.urls import path, re_path

from . import api

app_name = "ocds"
urlpatterns = [
    path("releases/", api.ReleaseListView.as_view(), name="releases"),
    path("records/<str:ocid>/", api.RecordView.as_view(), name="record"),
    re_path(r"^packages/(?P<year>[0-9]{4})\.json$", api.YearPackageView.as_view(), name="year-package"),
]
