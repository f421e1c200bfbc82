"""Parsing one code: 20-digit codes (length only), GS1 element strings (GTIN check digit, dates), company codes."""

from datetime import date

import pytest

from common.errors import ValidationFailed
from traceability.codes import GS, gtin_check_ok, parse_code
from traceability.errors import TraceError

GTIN = "06901234567892"  # check digit 2 by GS1 mod 10


def test_twenty_digit_code_keeps_its_product_identifier_and_is_not_check_digit_verified():
    parsed = parse_code(" 81234560000000012345 ")
    assert (parsed.kind, parsed.identifier, parsed.serialised) == ("drug20", "8123456", True)


@pytest.mark.parametrize("raw", ["8123456000000001234", "812345600000000123456", "12345"])
def test_all_digit_code_of_the_wrong_length_is_refused(raw):
    with pytest.raises(ValidationFailed) as exc:
        parse_code(raw, field="rows[0].code")
    assert exc.value.code == TraceError.CODE_WRONG_LENGTH and exc.value.field == "rows[0].code"
    assert "20" in exc.value.message


def test_gtin_check_digit():
    assert gtin_check_ok(GTIN)
    assert not gtin_check_ok("06901234567893")


def test_gs1_human_readable_with_serial():
    parsed = parse_code(f"(01){GTIN}(17)281231(10)LOT7(21)SN0001")
    assert parsed.kind == "gs1" and parsed.identifier == GTIN and parsed.serialised
    assert (parsed.lot, parsed.serial, parsed.expiry) == ("LOT7", "SN0001", date(2028, 12, 31))


def test_gs1_raw_scanner_form_is_the_same_code_as_the_human_readable_one():
    raw = parse_code(f"01{GTIN}17280100" + f"10LOT7{GS}21SN0001")
    assert raw.code == f"(01){GTIN}(17)280100(10)LOT7(21)SN0001"
    assert raw.expiry == date(2028, 1, 31)  # day 00 = the month's last day


def test_lot_level_udi_is_not_serialised():
    parsed = parse_code(f"(01){GTIN}(10)B2026")
    assert not parsed.serialised and parsed.lot == "B2026"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("(01)06901234567893(21)X1", TraceError.GTIN_CHECK_DIGIT),
        (f"(01){GTIN}(17)281341(21)X1", TraceError.GS1_BAD_DATE),
        (f"(01){GTIN}(99)X", TraceError.GS1_MALFORMED),
        ("(10)LOT(21)X", TraceError.GS1_MALFORMED),
        ("(01)0690123(21)X", TraceError.GS1_MALFORMED),
        ("码 含 空格", TraceError.CODE_BAD_CHARACTERS),
        ("", TraceError.CODE_EMPTY),
    ],
)
def test_bad_codes_are_refused_with_their_reason(raw, code):
    with pytest.raises(ValidationFailed) as exc:
        parse_code(raw)
    assert exc.value.code == code


def test_company_code():
    parsed = parse_code("HZ-2026-000123")
    assert parsed.kind == "company" and parsed.serialised and parsed.identifier == ""
