from django.urls import path

from . import views

app_name = "pharmacies"

urlpatterns = [
    path("dual-channel/", views.designation_list, name="designations"),
    path("dual-channel/<int:pk>/revoke/", views.designation_revoke, name="revoke"),
    path("negotiated/", views.monitoring, name="monitoring"),
]
