"""Tender pages for the official, manufacturer and hospital portals."""

from django.urls import path

from ..views.batch_results import follow_on, results_import
from ..views.tender_opening import bid_receipt_download, tender_my_bids, tender_opening
from ..views.tender_pages import (
    demand_import,
    demand_template,
    tender_coverage,
    tender_evaluation,
    tender_results,
    tender_results_xlsx,
)
from ..views.tenders import tender_action, tender_detail, tender_list, tender_new

app_name = "tenders"

urlpatterns = [
    path("", tender_list, name="list"),
    path("new/", tender_new, name="new"),
    path("import-results/", results_import, name="import-results"),
    path("<int:pk>/follow-on/", follow_on, name="follow-on"),
    path("<int:pk>/", tender_detail, name="detail"),
    path("<int:pk>/do/<slug:action>/", tender_action, name="action"),
    path("<int:pk>/coverage/", tender_coverage, name="coverage"),
    path("<int:pk>/evaluation/", tender_evaluation, name="evaluation"),
    path("<int:pk>/results/", tender_results, name="results"),
    path("<int:pk>/results.xlsx", tender_results_xlsx, name="results-xlsx"),
    path("<int:pk>/opening/", tender_opening, name="opening"),
    path("<int:pk>/my-bids/", tender_my_bids, name="my-bids"),
    path("<int:pk>/receipt/", bid_receipt_download, name="receipt"),
    path("<int:pk>/demand/import/", demand_import, name="demand-import"),
    path("<int:pk>/demand/template.xlsx", demand_template, name="demand-template"),
]
