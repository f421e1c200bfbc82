"""Settlement pages for the fund officer, manufacturer and hospital portals, one module per area. Thin: parse, call
one service or selector, render; a domain error is shown on the page and changes nothing."""

from django.urls import path

from .ledger import balances, reconciliation
from .payments import overdue_list, payment_import
from .position import fund_position, my_position
from .savings import retained_savings
from .statements import statement_detail, statement_list

app_name = "settlement"

urlpatterns = [
    path("", statement_list, name="list"),
    path("<int:pk>/", statement_detail, name="detail"),
    path("overdue/", overdue_list, name="overdue"),
    path("payments/import/", payment_import, name="payment-import"),
    path("balances/", balances, name="balances"),
    path("reconciliation/", reconciliation, name="reconciliation"),
    path("retained-savings/", retained_savings, name="retained-savings"),
    path("fund-position/", fund_position, name="fund-position"),
    path("my-position/", my_position, name="my-position"),
]
