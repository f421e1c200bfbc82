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
    # the public notice period (公示期) of the candidate results has not ended, or an objection or appeal is open
    AWARDS_ON_HOLD = "awards_on_hold"
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
    # consumable tenders
    NOT_CONSUMABLE_TENDER = "not_consumable_tender"  # a consumable step on a drug tender, or the reverse
    NOT_CONSUMABLE_PRODUCT = "not_consumable_product"  # a drug, or a consumable of another class, in a consumable lot
    REGISTRATION_INVALID = "registration_invalid"  # no valid medical-device registration certificate (注册证)
    SYSTEM_COMPONENT_MISSING = "system_component_missing"  # a product-system bid without a required component
    UNKNOWN_COMPONENT_ROLE = "unknown_component_role"  # a component role the lot's product system does not have
    INVALID_BID_UNIT = "invalid_bid_unit"  # a bid unit, price basis or component list the lot cannot take
    CONFIRMATION_REQUIRED = "confirmation_required"
    # after the opening: the opening record and the check of a bid's digest (verification writes nothing)
    NOT_YET_OPENED = "not_yet_opened"
    BID_NOT_OPENED = "bid_not_opened"
    RECEIPT_MALFORMED = "receipt_malformed"
    RECEIPT_MISMATCH = "receipt_mismatch"
    DIGEST_MISMATCH = "digest_mismatch"
    # progress
    UNKNOWN_HOSPITAL = "unknown_hospital"
    UNKNOWN_ROLLUP = "unknown_rollup"
    SINCE_AFTER_AS_OF = "since_after_as_of"  # a refresh of the changes since a day later than its computation date
    # national and alliance results (国家组织/省际联盟中选结果导入) and follow-on tenders (接续采购)
    RESULTS_FILE_INVALID = "results_file_invalid"  # a results file with a bad row: nothing was written (see report)
    RESULTS_LEVEL_INVALID = "results_level_invalid"  # results may be imported only for a national or alliance batch
    NOT_IMPORTED_TENDER = "not_imported_tender"  # a step of imported results on a tender the platform ran itself
    CYCLE_NOT_ENDED = "cycle_not_ended"  # a follow-on tender for a tender whose purchase cycle has not ended
    NOTHING_TO_FOLLOW = "nothing_to_follow"  # a follow-on tender for a tender without awards
    INVALID_FOLLOW_ON_CAP = "invalid_follow_on_cap"  # an unknown price-cap rule, or a factor that is not positive
    # a step of the platform's own tendering (lots, rules, cancel, bids, opening, evaluation, awards) on an imported
    # national or alliance batch: its results were published elsewhere
    IMPORTED_BATCH_IMMUTABLE = "imported_batch_immutable"


class OrderError(ErrorCode):
    """Codes of listings, distribution authorisations, orders, deliveries, receipts and returns."""

    # an order and its steps
    ORDER_NOT_FOUND = "order_not_found"
    STALE = "stale"  # the client's `version` is not the order's (kept as first published)
    WRONG_STATUS = "order_wrong_status"
    NOT_OWN_ORDER = "not_own_order"
    NOT_OWN_HOSPITAL = "not_own_hospital"
    REASON_REQUIRED = "reason_required"
    # lines and quantities
    LINES_REQUIRED = "lines_required"
    LINE_MALFORMED = "line_malformed"
    TOO_MANY_LINES = "too_many_lines"
    DUPLICATE_LINE = "duplicate_line"
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    QUANTITY_NEGATIVE = "quantity_negative"
    INVALID_DATE = "invalid_date"
    IDEMPOTENCY_KEY_TOO_LONG = "idempotency_key_too_long"
    # what may be ordered from whom
    LISTING_NOT_FOUND = "listing_not_found"
    LISTING_SUSPENDED = "listing_suspended"
    LISTING_WITHDRAWN = "listing_withdrawn"
    LISTING_NOT_YET_VALID = "listing_not_yet_valid"
    LISTING_EXPIRED = "listing_expired"
    PRODUCT_INACTIVE = "product_inactive"
    DISTRIBUTOR_INVALID = "distributor_invalid"
    DISTRIBUTOR_INACTIVE = "distributor_inactive"
    DISTRIBUTOR_NOT_AUTHORIZED = "distributor_not_authorized"
    AUTHORIZATION_SUSPENDED = "authorization_suspended"
    # a pharmacy (定点零售药店) ordered a product that is not a national negotiated drug in force on the day, while
    # the rule (PHARMACY_NEGOTIATED_ONLY) lets pharmacies order only those
    NOT_NEGOTIATED_DRUG = "not_negotiated_drug"
    # an organisation that is neither a hospital nor a pharmacy tried to place an order
    NOT_A_BUYER = "not_a_buyer"
    # deliveries, receipts, returns
    INVOICE_NUMBER_REQUIRED = "invoice_number_required"
    ORDER_LINE_NOT_IN_ORDER = "order_line_not_in_order"
    BATCH_NUMBER_REQUIRED = "batch_number_required"
    EXPIRED_BATCH = "expired_batch"
    PRODUCTION_DATE_IN_FUTURE = "production_date_in_future"
    OVER_DELIVERY = "over_delivery"  # more packs than the line still needs
    SHORTAGE_REASON_REQUIRED = "shortage_reason_required"
    SHORTAGE_OVER_LINE = "shortage_over_line"
    ALL_LINES_SHORT = "all_lines_short"  # nothing left to supply: reject the order instead
    DELIVERY_ALREADY_RECEIVED = "delivery_already_received"
    DELIVERY_LINE_NOT_IN_DELIVERY = "delivery_line_not_in_delivery"
    RECEIPT_EXCEEDS_DELIVERY = "receipt_exceeds_delivery"
    RECEIPT_LINE_MISSING = "receipt_line_missing"
    DELIVERY_AWAITING_RECEIPT = "delivery_awaiting_receipt"
    RECEIPT_LINE_NOT_IN_ORDER = "receipt_line_not_in_order"
    RETURN_EXCEEDS_ACCEPTED = "return_exceeds_accepted"
    # listings, applications, authorisations
    LISTING_WRONG_STATUS = "listing_wrong_status"
    # Reinstating a listing the qualification watch suspended while its licence or registration is still lapsed.
    QUALIFICATION_STILL_LAPSED = "qualification_still_lapsed"
    PRICE_NOT_POSITIVE = "price_not_positive"
    PRICE_UNCHANGED = "price_unchanged"
    VALIDITY_REVERSED = "validity_reversed"
    ALREADY_LISTED = "already_listed"
    NOT_OWN_PRODUCT = "not_own_product"
    APPLICATION_PENDING = "application_pending"
    APPLICATION_DECIDED = "application_decided"
    APPLICATION_NOT_EDITABLE = "application_not_editable"
    APPLICATION_KIND_INVALID = "application_kind_invalid"
    PRODUCT_REQUIRED = "product_required"
    LISTING_REQUIRED = "listing_required"
    PRICE_ABOVE_LINKAGE = "price_above_linkage"
    DISTRIBUTORS_REQUIRED = "distributors_required"
    NOTE_REQUIRED = "note_required"
    REGIONS_REQUIRED = "regions_required"
    AUTHORIZATION_EXISTS = "authorization_exists"
    AUTHORIZATION_INACTIVE = "authorization_inactive"
    AUTHORIZATION_NOT_SUSPENDED = "authorization_not_suspended"


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
