"""One way to show money, quantities and dates on every page."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from common.templatetags.display import format_money, format_quantity


@pytest.mark.parametrize(
    "value, places, shown",
    [
        (Decimal("1234.56"), 2, "¥1,234.56"),
        (Decimal("1234.565"), 2, "¥1,234.57"),
        (Decimal("0"), 2, "¥0.00"),
        (Decimal("-5.5"), 2, "-¥5.50"),
        (Decimal("0.12345"), 4, "¥0.1235"),
        ("1000000", 2, "¥1,000,000.00"),
        (None, 2, "—"),
        ("abc", 2, "—"),
    ],
)
def test_money(value, places, shown):
    assert format_money(value, places) == shown


def test_quantity_has_its_unit_and_separators():
    assert format_quantity(1200, "盒") == "1,200 盒"
    assert format_quantity(Decimal("2.50"), "g") == "2.5 g"
    assert format_quantity(None, "片") == "—"


def test_dates_are_iso_in_both_languages():
    template = Template("{{ d }}|{{ d|date }}|{% load display %}{{ d|ymd }}")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert template.render(Context({"d": date(2026, 3, 1)})) == "2026-03-01|2026-03-01|2026-03-01"


def test_money_filter_in_a_template():
    html = Template("{% load display %}{{ a|money }} {{ p|money:4 }} {{ n|qty:u }}").render(
        Context({"a": Decimal("1234.5"), "p": Decimal("0.3"), "n": 30, "u": "片"})
    )
    assert html == "¥1,234.50 ¥0.3000 30 片"
