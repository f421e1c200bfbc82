"""The one number parser (common.numbers): ASCII digits only in the API, full-width folded in forms, every value
within its column's range, every refusal naming the field."""

from decimal import Decimal

import pytest

from common.errors import ValidationFailed
from common.money import to_decimal
from common.numbers import fold_fullwidth, integer_range, param_id, parse_decimal, parse_id, parse_int
from common.text import check_text, text_error
from procurement.models import DemandReport, PurchaseOrder, PurchaseOrderLine
from settlement.models import Payment

PACKS = PurchaseOrderLine._meta.get_field("packs")
AMOUNT = Payment._meta.get_field("amount")

NOT_ASCII = ["²", "١٢", "۳", "१२", "１２", "①", "½", "𝟙"]


@pytest.mark.parametrize("text", NOT_ASCII)
def test_the_api_refuses_digits_that_are_not_ascii_rather_than_converting_them(text):
    with pytest.raises(ValidationFailed) as error:
        parse_int(text, field="packs")
    assert error.value.field == "packs" and error.value.code == "invalid_number"
    with pytest.raises(ValidationFailed):
        parse_decimal(text, field="amount", column=AMOUNT)


@pytest.mark.parametrize(
    "text",
    [
        "1e3",
        "1E+400",
        "1e400",
        "0x10",
        "1_000",
        " 1 2",
        "--1",
        "1.",
        ".5",
        "NaN",
        "Infinity",
        "1,000",
        "0,02",
        True,
        1.5,
        None,
        [1],
        {"a": 1},
    ],
)
def test_exponents_separators_and_other_types_are_refused(text):
    with pytest.raises(ValidationFailed) as error:
        parse_decimal(text, field="amount", column=AMOUNT)
    assert error.value.field == "amount"


def test_each_value_is_checked_against_its_columns_range():
    assert integer_range(PACKS) == (1, 2_147_483_647)
    assert parse_int("2147483647", field="packs", column=PACKS) == 2_147_483_647
    for value in ("2147483648", "0", str(10**19), 10**19, Decimal("1E+400")):
        with pytest.raises(ValidationFailed) as error:
            parse_int(value, field="packs", column=PACKS)
        assert error.value.code == "out_of_range" and "2147483647" in error.value.message
    assert integer_range(DemandReport._meta.get_field("annual_volume"))[1] == 2**63 - 1
    with pytest.raises(ValidationFailed, match="超出允许范围"):
        parse_id(str(10**19), field="listing")
    assert parse_int(PurchaseOrder._meta.get_field("version").default, field="version") == 1


def test_a_five_thousand_digit_integer_is_refused_at_once():
    with pytest.raises(ValidationFailed) as error:
        parse_int("9" * 5000, field="packs")
    assert error.value.code == "out_of_range" and error.value.field == "packs"
    with pytest.raises(ValidationFailed):
        parse_decimal("9" * 5000, field="amount")


def test_amounts_have_the_columns_digits_before_and_after_the_point():
    assert parse_decimal("99999999999999.99", field="amount", column=AMOUNT) == Decimal("99999999999999.99")
    assert parse_decimal("12.500", field="amount", column=AMOUNT) == Decimal("12.50")
    for value, code in (
        ("999999999999999", "out_of_range"),
        ("9" * 20, "out_of_range"),
        ("1" + "0" * 24, "out_of_range"),
        ("0.001", "too_many_decimals"),
    ):
        with pytest.raises(ValidationFailed) as error:
            parse_decimal(value, field="amount", column=AMOUNT)
        assert error.value.code == code, value


def test_forms_fold_full_width_digits_and_accept_thousands_separators_in_their_places():
    assert fold_fullwidth("１２３．５") == "123.5"
    assert parse_decimal("１２３．５", field="amount", form=True) == Decimal("123.5")
    assert parse_decimal("1,234.50", field="amount", form=True) == Decimal("1234.50")
    assert parse_decimal("１，２３４．５０", field="amount", form=True) == Decimal("1234.50")
    assert parse_int("　１２　", field="packs", form=True) == 12
    for bad in ("0,02", "12,34", "1,23,456", "1234,567.0", "²", "١٢"):
        with pytest.raises(ValidationFailed):
            parse_decimal(bad, field="amount", form=True)
    with pytest.raises(ValidationFailed):  # the API folds nothing
        parse_decimal("１２３", field="amount")


def test_money_no_longer_strips_commas_anywhere():
    with pytest.raises(ValidationFailed) as error:
        to_decimal("0,02", field="amount")
    assert error.value.field == "amount"
    assert to_decimal("1,234.50", field="amount", form=True) == Decimal("1234.50")


def test_param_id_names_the_parameter():
    assert param_id({"hospital": ""}, "hospital") is None
    assert param_id({"hospital": "12"}, "hospital") == 12
    assert param_id({"hospital": "１２"}, "hospital", form=True) == 12
    with pytest.raises(ValidationFailed) as error:
        param_id({"hospital": "²"}, "hospital")
    assert error.value.field == "hospital"


MONGOLIAN = "ᠮᠣᠩᠭᠣᠯ\u180eᠠ ᠬᠡᠯᠡ\u202fᠨᠦ \u200d\u200c\u180b\u180c\u180d\u180f"


def test_text_keeps_what_scripts_need_and_refuses_bidi_controls_and_excess_length():
    assert text_error(MONGOLIAN) is None and check_text(MONGOLIAN, field="name") == MONGOLIAN
    for control in ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]:
        with pytest.raises(ValidationFailed) as error:
            check_text(f"阿莫西林{control}胶囊", field="name")
        assert error.value.field == "name" and f"U+{ord(control):04X}" in error.value.message
    with pytest.raises(ValidationFailed) as error:
        check_text("x" * 2001, field="remarks", max_length=2000)
    assert error.value.code == "too_long" and "2000" in error.value.message
