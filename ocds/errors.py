"""Errors of the OCDS publication endpoints (OcdsError)."""

from common.errors import ErrorCode, NotFoundError, ValidationFailed

__all__ = ["NotFoundError", "OcdsError", "ValidationFailed"]


class OcdsError(ErrorCode):
    """Codes of the public OCDS endpoints."""

    INVALID_DATE = "ocds_invalid_date"  # date_from/date_to is not an ISO 8601 date or date-time (400)
    DATES_OUT_OF_ORDER = "ocds_dates_out_of_order"  # date_to before date_from (400)
    INVALID_PAGE = "ocds_invalid_page"  # page/page_size not a positive integer, or past the last page (400)
