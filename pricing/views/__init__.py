"""Pages of price monitoring: the officials' alert inbox and alert page (chart, evidence, review actions), credit
records, shortage alerts and imports; the inquiries addressed to a company or hospital, and a company's credit."""

from __future__ import annotations

from django.urls import path

from .alerts import alert_action, alert_bulk, alert_detail, alert_list
from .credit import credit_create, credit_list, credit_repair, my_credit
from .imports import imports
from .inquiries import inquiry_list, inquiry_reply
from .shortage import shortage_close, shortage_list

app_name = "pricing"

urlpatterns = [
    path("alerts/", alert_list, name="alert-list"),
    path("alerts/bulk/", alert_bulk, name="alert-bulk"),
    path("alerts/<int:pk>/", alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/<slug:step>/", alert_action, name="alert-action"),
    path("inquiries/", inquiry_list, name="inquiry-list"),
    path("inquiries/<int:pk>/reply/", inquiry_reply, name="inquiry-reply"),
    path("credit/", credit_list, name="credit-list"),
    path("credit/new/", credit_create, name="credit-create"),
    path("credit/<int:pk>/repair/", credit_repair, name="credit-repair"),
    path("credit/mine/", my_credit, name="my-credit"),
    path("shortages/", shortage_list, name="shortage-list"),
    path("shortages/<int:pk>/close/", shortage_close, name="shortage-close"),
    path("imports/", imports, name="imports"),
]
