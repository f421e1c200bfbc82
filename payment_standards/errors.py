"""Errors of payment standards."""

from common.errors import ErrorCode


class PaymentStandardError(ErrorCode):
    """Codes of payment standards: entry, derivation and publication."""

    STANDARD_NOT_POSITIVE = "standard_not_positive"
    SOURCE_REQUIRED = "source_required"
    INVALID_YEAR = "invalid_year"
    PRODUCT_UNKNOWN = "product_unknown"
    TENDER_NOT_AWARDED = "tender_not_awarded"
    YEAR_BEFORE_CYCLE = "year_before_cycle"
    NOTHING_TO_PUBLISH = "nothing_to_publish"
