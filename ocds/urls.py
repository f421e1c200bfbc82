"""Public OCDS endpoints, mounted at /api/ocds/ (config/urls.py)."""

from django.urls import path

from . import api

app_name = "ocds"
urlpatterns = [
    path("releases/", api.ReleaseListView.as_view(), name="releases"),
    path("records/<str:ocid>/", api.RecordView.as_view(), name="record"),
    path("packages/<int:year>.json", api.YearPackageView.as_view(), name="year-package"),
]
