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
    CODE_OF_OTHER_DELIVERY = "trace_code_of_other_delivery"  # a scanned code was recorded for another delivery or order
    SHORTFALL_REASON_REQUIRED = "trace_shortfall_reason_required"  # packs of the delivery not scanned, and no reason
    # return by code
    DUPLICATE_IN_SCAN = "trace_code_duplicate_in_scan"  # a code scanned twice, or a pack scanned with its case
    NOT_RECEIVED_HERE = "trace_code_not_received"  # the code was not received by the hospital returning it
    ALREADY_RETURNED = "trace_code_already_returned"  # every pack the code stands for was returned before
    DELIVERY_NOT_RECEIPTED = "trace_delivery_not_receipted"  # the code's delivery has no 入库验收 to return against
    RETURN_EXCEEDS_ACCEPTED = "trace_return_exceeds_accepted"  # more packs than the receipt accepted and not returned
    RETURN_REASON_REQUIRED = "trace_return_reason_required"  # a return by code without a reason
    # dispensing / settlement import
    UNKNOWN_ORGANIZATION = "unknown_organization"
    BAD_DATE = "bad_date"
