"""Errors of procurement: tenders (TenderError) and online ordering (OrderError)."""

from common.errors import (
    CommonError,
    ConflictError,
    DomainError,
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)


class TenderError(ErrorCode):
    """Codes of tenders, demand reports, bids, evaluation, awards and commitments (and their progress)."""

    # tenders and lots
    TENDER_CODE_TAKEN = "tender_code_taken"
    INVALID_LEVEL = "invalid_level"
    INVALID_KIND = "invalid_kind"
    DATES_OUT_OF_ORDER = "dates_out_of_order"
    CYCLE_END_BEFORE_START = "cycle_end_before_start"
    INVALID_RULES = "invalid_rules"
    RULES_LOCKED = "rules_locked"
    LOTS_LOCKED = "lots_locked"
    LOT_NUMBER_TAKEN = "lot_number_taken"
    INVALID_QUALITY_REQUIREMENT = "invalid_quality_requirement"
    INVALID_PRICE_RATIO = "invalid_price_ratio"
    UNKNOWN_STRENGTH = "unknown_strength"
    # the tender's steps
    WRONG_STATUS = "wrong_status"
    NO_LOTS = "no_lots"
    CANCEL_TOO_LATE = "cancel_too_late"
    OPENING_NOT_DUE = "opening_not_due"
    NOT_OPENED = "not_opened"
    NOT_EVALUATED = "not_evaluated"
    # demand reports
    NOT_OWN_HOSPITAL = "not_own_hospital"
    INVALID_HOSPITAL = "invalid_hospital"
    VOLUME_NEGATIVE = "volume_negative"
    NAMED_PRODUCT_NOT_IN_LOT = "named_product_not_in_lot"
    OUTSIDE_WINDOW = "outside_window"
    IMPORT_ONE_TENDER = "import_one_tender"
    UNKNOWN_TENDER = "unknown_tender"
    # bids
    NOT_MANUFACTURER = "not_manufacturer"
    NOT_OWN_PRODUCT = "not_own_product"
    PRODUCT_NOT_IN_LOT = "product_not_in_lot"
    PRICE_NOT_POSITIVE = "price_not_positive"
    PRICE_ABOVE_MAX = "price_above_max"
    CAPACITY_NOT_POSITIVE = "capacity_not_positive"
    NOT_BIDDING = "not_bidding"
    DEADLINE_PASSED = "deadline_passed"
    LIVE_BID_EXISTS = "live_bid_exists"
    NOT_OWN_BID = "not_own_bid"
    BID_NOT_LIVE = "bid_not_live"
    # progress
    UNKNOWN_HOSPITAL = "unknown_hospital"
    UNKNOWN_ROLLUP = "unknown_rollup"


class OrderError(ErrorCode):
    """Codes of listings, distribution authorisations, orders, deliveries, receipts and returns."""


__all__ = [
    "CommonError",
    "ConflictError",
    "DomainError",
    "ErrorCode",
    "NotFoundError",
    "PermissionDeniedError",
    "ValidationFailed",
    "TenderError",
    "OrderError",
]
