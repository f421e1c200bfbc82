"""Errors of direct settlement."""

from common.errors import (
    CommonError,
    ConflictError,
    DomainError,
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)


class SettlementError(ErrorCode):
    """Codes of prepayments, statements, claims, confirmations and payments."""

    # input of any step
    INVALID_DATE = "invalid_date"
    INVALID_MONTH = "invalid_month"
    TOO_MANY_DECIMALS = "too_many_decimals"
    AMOUNT_NOT_POSITIVE = "amount_not_positive"
    REASON_REQUIRED = "reason_required"
    HOSPITAL_UNKNOWN = "hospital_unknown"
    TENDER_UNKNOWN = "tender_unknown"
    LISTING_UNKNOWN = "listing_unknown"
    REGION_UNKNOWN = "region_unknown"
    # generation
    MONTH_NOT_ENDED = "month_not_ended"
    HOSPITAL_WITHOUT_REGION = "hospital_without_region"
    GENERATION_RUNNING = "run_in_progress"
    # prepayments
    NOT_A_HOSPITAL = "not_a_hospital"
    PREPAYMENT_RATE_OUT_OF_RANGE = "prepayment_rate_out_of_range"
    PREPAYMENT_EXISTS = "prepayment_exists"
    NO_AGREED_AMOUNT = "no_agreed_amount"
    # price corrections
    PRICE_NOT_POSITIVE = "price_not_positive"
    PERIOD_END_BEFORE_START = "period_end_before_start"
    PRICE_ADJUSTMENT_SETTLED = "price_adjustment_settled"
    # the statement workflow
    STATEMENT_NOT_FOUND = "statement_not_found"
    STATEMENT_PAID = "paid"
    STATEMENT_NOT_DRAFT = "statement_not_draft"
    STATEMENT_NOT_CLAIMED = "statement_not_claimed"
    STATEMENT_NOT_CONFIRMED = "not_confirmed"
    STATEMENT_NOT_APPROVED = "statement_not_approved"
    INVOICES_LOCKED = "invoices_locked"
    INVOICE_REQUIRED = "invoice_required"
    INVOICE_INVALID = "invoice_invalid"
    INVOICE_DUPLICATE = "invoice_duplicate"
    CLAIM_FOR_ACTIVE_MANUFACTURER = "claim_for_active_manufacturer"
    LINE_NOT_IN_STATEMENT = "line_not_in_statement"
    LINE_NOT_DISPUTED = "line_not_disputed"
    CREDIT_LINE_NOT_DROPPABLE = "credit_line_not_droppable"
    ALL_LINES_DROPPED = "all_lines_dropped"
    DISPUTE_REASON_REQUIRED = "dispute_reason_required"
    NO_STATEMENTS_SELECTED = "no_statements_selected"
    RETURN_REASON_REQUIRED = "return_reason_required"
    REDUCTION_REASON_REQUIRED = "reduction_reason_required"
    REDUCTION_NOT_POSITIVE = "reduction_not_positive"
    REDUCTION_OVER_LINE = "reduction_over_line"  # more than the line's amount (or a credit line)
    REDUCTION_WHOLE_STATEMENT = "reduction_whole_statement"  # reducing everything: return the statement instead
    CONFIRMATION_REQUIRED = "confirmation_required"  # a financial step on a page without ticking the confirmation
    # payments
    PAYMENT_OVER_APPROVED = "over_approved"
    PAYMENT_REFERENCE_REQUIRED = "payment_reference_required"
    PAYMENT_REFERENCE_DUPLICATE = "payment_reference_duplicate"
    PAYMENT_DATE_IN_FUTURE = "payment_date_in_future"
    PAYMENT_FILE_HEADERS_MISSING = "payment_file_headers_missing"
    PAYMENT_FILE_EMPTY = "payment_file_empty"  # no payment row
    PAYMENT_FILE_ROWS_INVALID = "payment_file_rows_invalid"  # some rows refused: nothing was recorded
    PAYMENT_ROW_DUPLICATE = "payment_row_duplicate"
    STATEMENT_NUMBER_REQUIRED = "statement_number_required"
    STATEMENT_NUMBER_UNKNOWN = "statement_number_unknown"
    # budgets, claims, over-spend sharing (总额预算)
    BUDGET_MONTHS_REQUIRED = "budget_months_required"  # a budget needs twelve monthly amounts
    BUDGET_MONTH_NEGATIVE = "budget_month_negative"  # a monthly budget amount below zero
    BUDGET_YEAR_INVALID = "budget_year_invalid"  # a year outside 2000–2100
    BUDGET_YEAR_SETTLED = "budget_year_settled"  # the year was settled: its budget and claims are closed
    BUDGET_FILE_ROWS_INVALID = "budget_file_rows_invalid"  # some rows of a budget or claims file refused: none written
    BUDGET_FILE_EMPTY = "budget_file_empty"  # a budget or claims file without a data row
    # retained savings and scores (结余留用, 综合绩效)
    SAVINGS_NOT_QUALIFIED = "savings_not_qualified"  # paying or approving savings of a hospital that did not qualify
    SAVINGS_STATUS = "savings_status"  # the award's status does not allow the step (e.g. paying before approval)
    CYCLE_NOT_ENDED = "cycle_not_ended"  # assessing a tender's savings before its purchase cycle ended
    # the ledger
    JOURNAL_TOO_FEW_LINES = "journal_too_few_lines"
    JOURNAL_UNBALANCED = "journal_unbalanced"
    JOURNAL_ACCOUNT_OTHER_FUND = "journal_account_other_fund"


__all__ = [
    "CommonError",
    "ConflictError",
    "DomainError",
    "ErrorCode",
    "NotFoundError",
    "PermissionDeniedError",
    "ValidationFailed",
    "SettlementError",
]
