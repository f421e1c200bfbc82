"""Errors of price monitoring, review and credit."""

from common.errors import (
    CommonError,
    ConflictError,
    DomainError,
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)


class PricingError(ErrorCode):
    """Codes of price observations, alert cases and their review, credit ratings."""

    # filters of the inbox and the API
    UNKNOWN_FILTER_VALUE = "unknown_filter_value"
    # review of a case
    NOT_A_REVIEWER = "not_a_reviewer"
    ALERT_NOT_FOUND = "alert_not_found"
    STALE_VERSION = "stale_version"
    STEP_NOT_ALLOWED = "step_not_allowed"
    ALERT_CLOSED = "alert_closed"
    ASSIGNEE_NOT_OFFICIAL = "assignee_not_official"
    ASSIGNEE_OTHER_REGION = "assignee_other_region"
    ASSIGNEE_UNKNOWN = "assignee_unknown"
    BULK_IDS_INVALID = "bulk_ids_invalid"
    BULK_EMPTY = "bulk_empty"
    BULK_TOO_MANY = "bulk_too_many"
    BULK_REFUSED = "bulk_refused"
    REASON_REQUIRED = "reason_required"
    LETTER_REQUIRED = "letter_required"
    RECIPIENT_INVALID = "recipient_invalid"
    REPLY_DUE_INVALID = "reply_due_invalid"
    REPLY_DUE_NOT_FUTURE = "reply_due_not_future"
    INQUIRY_NOT_FOUND = "inquiry_not_found"
    REPLY_REQUIRED = "reply_required"
    INQUIRY_ALREADY_REPLIED = "inquiry_already_replied"
    INQUIRY_ALERT_CLOSED = "inquiry_alert_closed"
    HELD_ON_INVALID = "held_on_invalid"
    HELD_ON_FUTURE = "held_on_future"
    PARTICIPANTS_REQUIRED = "participants_required"
    MINUTES_REQUIRED = "minutes_required"
    DISPOSITION_REQUIRED = "disposition_required"
    DISPOSITION_UNKNOWN = "disposition_unknown"
    NOTE_REQUIRED = "note_required"
    CORRECTED_PRICE_REQUIRED = "corrected_price_required"
    CORRECTED_PRICE_NOT_ALLOWED = "corrected_price_not_allowed"
    PRICE_NOT_POSITIVE = "price_not_positive"
    PRICE_TOO_PRECISE = "price_too_precise"
    RECIPIENT_UNKNOWN = "recipient_unknown"
    DATE_INVALID = "date_invalid"
    FILE_REQUIRED = "file_required"
    # scans
    SCAN_RUNNING = "scan_running"
    # credit records
    NOT_A_CREDIT_MANAGER = "not_a_credit_manager"
    ORGANIZATION_UNKNOWN = "organization_unknown"
    PRODUCT_UNKNOWN = "product_unknown"
    CREDIT_ORGANIZATION_INVALID = "credit_organization_invalid"
    BEHAVIOUR_UNKNOWN = "behaviour_unknown"
    SCHEME_UNKNOWN = "scheme_unknown"
    LEVEL_UNKNOWN = "level_unknown"
    EVIDENCE_REQUIRED = "evidence_required"
    START_REQUIRED = "start_required"
    END_BEFORE_START = "end_before_start"
    AMOUNT_NEGATIVE = "amount_negative"
    PRODUCTS_OF_ANOTHER_COMPANY = "products_of_another_company"
    PRODUCTS_REQUIRED = "products_required"
    REPAIR_NOTE_REQUIRED = "repair_note_required"
    RECORD_NOT_ACTIVE = "record_not_active"
    # shortage alerts
    SHORTAGE_CLOSED = "shortage_closed"
    # imports
    TOO_MANY_ROWS = "too_many_rows"


__all__ = [
    "CommonError",
    "ConflictError",
    "DomainError",
    "ErrorCode",
    "NotFoundError",
    "PermissionDeniedError",
    "ValidationFailed",
    "PricingError",
]
