"""Errors of traceability codes (追溯码 / UDI)."""

from common.errors import ErrorCode


class TraceError(ErrorCode):
    """Codes of recording, receiving and importing traceability codes."""

    # one code
    CODE_EMPTY = "trace_code_empty"
    CODE_WRONG_LENGTH = "trace_code_wrong_length"  # an all-digit code that is not 20 digits long
    CODE_BAD_CHARACTERS = "trace_code_bad_characters"
    GS1_MALFORMED = "gs1_malformed"  # an element string that cannot be parsed (unknown AI, short field)
    GTIN_CHECK_DIGIT = "gtin_check_digit"  # the (01) GTIN's check digit is wrong
    GS1_BAD_DATE = "gs1_bad_date"  # a (17) expiry that is not a date
    # a delivery's codes
    DUPLICATE_IN_DELIVERY = "trace_code_duplicate_in_delivery"
    ALREADY_RECORDED = "trace_code_already_recorded"  # recorded for this delivery by an earlier upload
    LINE_NOT_IN_DELIVERY = "delivery_line_not_in_delivery"  # a delivery line of another order's delivery
    PARENT_UNKNOWN = "trace_parent_unknown"
    PARENT_OTHER_LINE = "trace_parent_other_line"
    PARENT_CYCLE = "trace_parent_cycle"
    MORE_CODES_THAN_PACKS = "more_codes_than_packs"
    NO_CODES = "no_codes"
    DELIVERY_RECEIVED = "delivery_already_received"
    # receipt by code
    NOTHING_MATCHED = "no_code_matched"
    # dispensing / settlement import
    UNKNOWN_ORGANIZATION = "unknown_organization"
    BAD_DATE = "bad_date"
