"""REST endpoints of direct settlement, mounted under /api/v1/ by config/urls.py: one module per area — statements
(the workflow), funds (prepayments, payment files, generation, price corrections), reports, budgets (总额预算,
结余留用 awards, 综合绩效 scores).

Statements are scoped: a manufacturer sees its own, a hospital its own, fund officers all (another organisation's
statement is simply not found). Which step a statement allows is settlement.policies' decision.
"""

from django.urls import path

from .budgets import (
    BudgetFileView,
    BudgetMonthSettleView,
    BudgetViewSet,
    ClaimFileView,
    HospitalScoreViewSet,
    MonthSettlementViewSet,
    SavingsAwardViewSet,
    YearEndView,
    YearSettlementViewSet,
)
from .funds import GenerateView, PaymentFileView, PrepaymentViewSet, PriceCorrectionView
from .reports import ReportView
from .statements import StatementViewSet

routes: list[tuple] = [
    ("settlement/statements", StatementViewSet, "settlement-statement"),
    ("settlement/prepayments", PrepaymentViewSet, "settlement-prepayment"),
    ("settlement/budgets", BudgetViewSet, "settlement-budget"),
    ("settlement/budget-months", MonthSettlementViewSet, "settlement-budget-month"),
    ("settlement/budget-years", YearSettlementViewSet, "settlement-budget-year"),
    ("settlement/savings-awards", SavingsAwardViewSet, "settlement-savings-award"),
    ("settlement/hospital-scores", HospitalScoreViewSet, "settlement-hospital-score"),
]
urlpatterns: list = [
    path("settlement/payment-files/", PaymentFileView.as_view(), name="settlement-payment-file"),
    path("settlement/generate/", GenerateView.as_view(), name="settlement-generate"),
    path("settlement/price-corrections/", PriceCorrectionView.as_view(), name="settlement-price-correction"),
    path("settlement/balances/", ReportView.as_view(report="balances"), name="settlement-balances"),
    path("settlement/overdue/", ReportView.as_view(report="overdue"), name="settlement-overdue"),
    path("settlement/reconciliation/", ReportView.as_view(report="reconciliation"), name="settlement-reconciliation"),
    path("settlement/budget-files/", BudgetFileView.as_view(), name="settlement-budget-file"),
    path("settlement/claim-files/", ClaimFileView.as_view(), name="settlement-claim-file"),
    path("settlement/budget-months/settle/", BudgetMonthSettleView.as_view(), name="settlement-budget-month-settle"),
    path("settlement/year-end/", YearEndView.as_view(), name="settlement-year-end"),
    path("settlement/retained-savings/", ReportView.as_view(report="retained"), name="settlement-retained-savings"),
]
