"""Words instead of codes, and stored texts in the reader's language (issue 27, items 1 and 8)."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from common.errors import ValidationFailed
from common.labels import event_label, status_label
from common.markup import mark_data, render_marked
from common.messages import Message, render
from common.notifications import notify
from common.numbers import parse_decimal
from common.templatetags.display import format_quantity
from common.units import unit_label
from procurement.models import OrderEvent, PurchaseOrder
from settlement.models import LedgerAccount
from tests.factories import HospitalFactory


def test_a_message_renders_in_the_active_language_with_nested_labels():
    message = Message(
        gettext_noop("订单 %(number)s 部分缺货"),
        {"number": "PO1", "x": Message.label(PurchaseOrder.Status.SHIPPED.label)},
    )
    stored = message.as_json()
    assert stored == {
        "text": "订单 %(number)s 部分缺货",
        "params": {"number": "PO1", "x": {"text": "已配送", "params": {}}},
    }
    with translation.override("zh-hans"):
        assert render(stored) == "订单 PO1 部分缺货"
    with translation.override("en"):
        assert render(stored) == "Order PO1 is partly short"
        assert render({}, "旧的文字") == "旧的文字"  # rows written before: their text


def test_a_word_with_a_context_and_a_marked_rendering():
    # a credit level's name is translated in its context (一般: "Minor" there, "General" elsewhere)
    message = Message(
        gettext_noop("信用评价%(level)s（记录 #%(record)s）"),
        {"level": Message("一般", context="信用评价"), "record": 7},
    )
    stored = message.as_json()
    assert stored["params"]["level"]["context"] == "信用评价"
    assert str(message) == "信用评价一般（记录 #7）"
    note = Message(gettext_noop("%(product)s：%(reason)s"), {"product": "阿司匹林<肠溶片>", "reason": message})
    with translation.override("en"):
        assert render(stored) == "Credit rating Minor (record #7)"
        # a plain parameter is data (marked), a message one is in the reader's language
        assert render_marked(note.as_json(), names={"product", "reason"}) == (
            '<span lang="zh">阿司匹林&lt;肠溶片&gt;</span>: Credit rating Minor (record #7)'
        )
    assert render_marked({}, "旧的说明") == '<span lang="zh">旧的说明</span>'


@pytest.mark.django_db
def test_a_notification_keeps_its_message_and_shows_it_in_the_readers_language():
    with translation.override("en"):  # whoever causes it, the stored text is the platform's language
        note = notify(
            HospitalFactory(), "deadline", Message(gettext_noop("订单 %(number)s 部分缺货"), {"number": "PO9"})
        )
    note.refresh_from_db()
    assert note.title == "订单 PO9 部分缺货"
    assert note.message["title"]["params"] == {"number": "PO9"}
    with translation.override("en"):
        assert note.title_text == "Order PO9 is partly short"


def test_event_and_status_labels_come_from_the_model():
    with translation.override("zh-hans"):
        assert event_label(OrderEvent, "line_added") == "加入明细"
        assert status_label(PurchaseOrder, "partially_shipped") == "部分配送"
        assert event_label(OrderEvent, "unknown_code") == "unknown_code"  # a gap shows itself (the crawler finds it)
    with translation.override("en"):
        assert event_label(OrderEvent, "created") == "Order created"
        assert str(dict(LedgerAccount.Kind.choices)["fund_bank"]) != "fund_bank"


def test_a_number_error_names_the_value_not_the_field_code():
    with pytest.raises(ValidationFailed) as caught, translation.override("zh-hans"):
        parse_decimal("abc", field="amount")
    assert "amount" not in caught.value.message and caught.value.field == "amount"
    with pytest.raises(ValidationFailed) as caught, translation.override("zh-hans"):
        parse_decimal("abc", field="amount", label="核减金额")
    assert caught.value.message.startswith("核减金额“abc”")


def test_data_is_marked_and_units_follow_the_language():
    assert mark_data("北辰<医院>") == '<span lang="zh">北辰&lt;医院&gt;</span>'
    assert mark_data("") == ""
    with translation.override("en"):
        assert unit_label("片", 1) == "tablet"
        assert format_quantity(20000, "片") == "20,000 tablets"
        assert unit_label("Widget", 2) == "Widget"  # not a known unit: the catalog's word
    with translation.override("zh-hans"):
        assert format_quantity(1200, "盒") == "1,200 盒"
