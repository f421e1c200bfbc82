"""医保基金直接结算: fund accounts, prepayments, monthly statements, payments, the double-entry ledger and
retained savings.

A receipt line (procurement.ReceiptLine) is settled in exactly one statement: `SettlementLine.receipt_line` is unique
for receipt lines, so two batch runs racing each other cannot both settle it. Returns (GoodsReturnLine) are netted
once each through `SettledReturn`. Procurement's tables are never changed by this app.

Ledger sign convention: a journal line's `amount` is positive for a debit and negative for a credit, so every entry's
lines sum to zero. Account balances (sum of their lines) read: fund bank — money in (+) / out (−); hospital — what the
hospital owes the fund (+); manufacturer — what the fund owes the manufacturer (−).

The models live in one module per area: `ledger` (fund accounts and the ledger), `prepayments` (prepayments and
monthly deductions), `statements` (statements, lines, settled returns, events, runs), `corrections` (price corrections
and adjustments), `payments` (payments and bank files).
"""

from .budgets import BudgetAllocation, BudgetMonth, BudgetMonthSettlement, BudgetYearSettlement, InsuranceClaim
from .columns import AMOUNT, RATE, UNIT_PRICE
from .corrections import PriceAdjustment, PriceCorrection
from .ledger import FundAccount, JournalEntry, JournalLine, LedgerAccount
from .payments import Payment, PaymentImport
from .performance import HospitalScore, SavingsAward
from .prepayments import HospitalDeduction, Prepayment
from .statements import JobLock, SettledReturn, SettlementLine, SettlementRun, SettlementStatement, StatementEvent

__all__ = [
    "AMOUNT",
    "RATE",
    "UNIT_PRICE",
    "BudgetAllocation",
    "BudgetMonth",
    "BudgetMonthSettlement",
    "BudgetYearSettlement",
    "FundAccount",
    "HospitalScore",
    "InsuranceClaim",
    "HospitalDeduction",
    "JobLock",
    "JournalEntry",
    "JournalLine",
    "LedgerAccount",
    "Payment",
    "PaymentImport",
    "Prepayment",
    "PriceAdjustment",
    "PriceCorrection",
    "SavingsAward",
    "SettledReturn",
    "SettlementLine",
    "SettlementRun",
    "SettlementStatement",
    "StatementEvent",
]
