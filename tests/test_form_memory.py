"""Forms keep what the user typed when the service refuses it, and say what is wrong next to the field:
the refused POST redirects back to the page, which shows the typed values in their inputs, the message under the
input it is about, and marks that input (aria-invalid, aria-describedby, autofocus)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from procurement.models import PurchaseOrder
from tests.utils import client_as

pytestmark = pytest.mark.django_db


def _client(user):
    return client_as(user)


def _input(html: str, name: str) -> str:
    match = re.search(rf'<(?:input|textarea|select)[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, f"no input {name}"
    return match.group(0)


def _error_next_to(html: str, name: str, error_id: str, message: str):
    tag = _input(html, name)
    assert 'aria-invalid="true"' in tag and f'aria-describedby="{error_id}"' in tag and "autofocus" in tag, tag
    error = re.search(rf'<p class="field-error" id="{re.escape(error_id)}" role="alert">(.*?)</p>', html)
    assert error and message in error.group(1), html[html.index(tag) :][:600]
    assert html.index(error.group(0)) - html.index(tag) < 400  # next to the input, not at the top of the page


@pytest.fixture
def order_world():
    from tests.procurement.ordering import build_world

    w = build_world()
    buyer, dist = _client(w.buyer), _client(w.dist_rep)
    buyer.post("/orders/cart/add/", {"listing": w.listing.pk, "distributor": w.distributor.pk, "packs": "3"})
    w.order = PurchaseOrder.objects.get()
    return w, buyer, dist


def test_cart_keeps_the_typed_quantity_and_names_the_line(order_world):
    w, buyer, _dist = order_world
    order, line = w.order, w.order.lines.get()
    page = buyer.post(
        "/orders/cart/",
        {
            "order": order.pk,
            "version": order.version,
            f"packs-{line.pk}": "2.5",
            "remarks": "请周一前送到",
            "action": "save",
        },
        follow=True,
    ).content.decode()
    assert 'value="2.5"' in _input(page, f"packs-{line.pk}") and "请周一前送到" in page
    _error_next_to(page, f"packs-{line.pk}", f"cart-{order.pk}-packs-{line.pk}-error", "不是整数")
    order.refresh_from_db()
    assert order.lines.get().packs == 3  # nothing changed


def _submitted(order_world):
    w, buyer, dist = order_world
    order, line = w.order, w.order.lines.get()
    buyer.post(
        "/orders/cart/", {"order": order.pk, "version": order.version, f"packs-{line.pk}": "3", "action": "submit"}
    )
    order.refresh_from_db()
    return order, order.lines.get(), dist  # a saved draft's lines are rewritten


def test_shipping_keeps_every_typed_value_and_puts_the_error_on_its_field(order_world):
    order, line, dist = _submitted(order_world)
    dist.post(f"/orders/{order.pk}/", {"action": "accept", "version": order.version})
    order.refresh_from_db()
    expiry = (timezone.localdate() + timedelta(days=400)).isoformat()
    form = {
        "action": "ship",
        "version": order.version,
        "invoice_number": "",
        f"ship-{line.pk}-packs": "2",
        f"ship-{line.pk}-batch": "B2026",
        f"ship-{line.pk}-expiry": expiry,
    }
    page = dist.post(f"/orders/{order.pk}/", form, follow=True).content.decode()
    _error_next_to(page, "invoice_number", "ship-invoice_number-error", "请填写发票号")
    assert 'value="B2026"' in _input(page, f"ship-{line.pk}-batch") and f'value="{expiry}"' in page
    assert 'value="2"' in _input(page, f"ship-{line.pk}-packs")
    # a line's field: the error goes to that line's input
    page = dist.post(
        f"/orders/{order.pk}/", {**form, "invoice_number": "INV-1", f"ship-{line.pk}-batch": ""}, follow=True
    ).content.decode()
    _error_next_to(page, f"ship-{line.pk}-batch", f"ship-ship-{line.pk}-batch-error", "请填写批号")
    assert 'value="INV-1"' in _input(page, "invoice_number")
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.ACCEPTED and not order.deliveries.exists()
    # shown once: the next visit is a clean form
    page = dist.get(f"/orders/{order.pk}/").content.decode()
    assert "field-error" not in page and 'value="INV-1"' not in page


def test_rejecting_without_a_reason_says_so_next_to_the_reason(order_world):
    order, _line, dist = _submitted(order_world)
    page = dist.post(
        f"/orders/{order.pk}/", {"action": "reject", "version": order.version, "reason": "  "}, follow=True
    ).content.decode()
    _error_next_to(page, "reason", "reject-reason-error", "拒绝订单必须填写原因")


def test_statement_payment_keeps_the_typed_reference_and_marks_the_amount():
    from settlement.models import Payment
    from tests.settlement.world import world_with_statement

    w, s, _month = world_with_statement()
    url = f"/settlement/{s.pk}/"
    _client(w.maker_rep).post(url, {"action": "claim", "invoice_numbers": "12345678"})
    _client(w.hospital_user).post(url, {"action": "review"})
    fund = _client(w.fund_officer)
    fund.post("/settlement/", {"statement_ids": [s.pk], "confirm": "1"})
    page = fund.post(
        url, {"action": "pay", "amount": "99999", "reference": "B-88", "confirm": "1"}, follow=True
    ).content.decode()
    _error_next_to(page, "amount", "pay-amount-error", "超过结算单")
    assert 'value="99999"' in _input(page, "amount") and 'value="B-88"' in _input(page, "reference")
    assert not Payment.objects.filter(statement=s).exists()


def test_claim_keeps_the_response_and_marks_the_invoice_numbers():
    from tests.settlement.world import world_with_statement

    w, s, _month = world_with_statement()
    page = (
        _client(w.maker_rep)
        .post(f"/settlement/{s.pk}/", {"action": "claim", "invoice_numbers": "12", "response": "已核对"}, follow=True)
        .content.decode()
    )
    _error_next_to(page, "invoice_numbers", "claim-invoice_numbers-error", "格式不正确")
    assert 'value="12"' in _input(page, "invoice_numbers") and 'value="已核对"' in _input(page, "response")


def test_credit_record_form_keeps_what_was_typed(official, manufacturer):
    page = (
        _client(official)
        .post(
            "/pricing/credit/new/",
            {
                "organization": manufacturer.pk,
                "behaviour": "bribery",
                "scheme": "2020",
                "level": "general",
                "amount": "12000",
                "start": "2026-01-05",
                "evidence": "",
            },
            follow=True,
        )
        .content.decode()
    )
    _error_next_to(page, "evidence", "credit-evidence-error", "请填写事实与依据")
    assert 'value="12000"' in _input(page, "amount") and 'value="2026-01-05"' in _input(page, "start")


def test_a_refused_bid_is_shown_again_with_its_values_and_the_error_tied_to_the_price(world):
    from procurement.models import Bid
    from tests.fixtures.tenders import to_bidding

    to_bidding(world)
    tender, lot = world["tender"], world["lot"]
    prefix = f"bid{lot.pk}"
    response = _client(world["reps"][0]).post(
        f"/tenders/{tender.pk}/do/bid/",
        {
            "lot": lot.pk,
            f"{prefix}-product": world["products"][0].pk,
            f"{prefix}-price": "1.5",
            f"{prefix}-supply_capacity": "1234",
            f"{prefix}-confirm": "on",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 and not Bid.objects.exists()
    price = _input(html, f"{prefix}-price")
    assert 'value="1.5"' in price and 'aria-invalid="true"' in price and "autofocus" in price
    assert f'aria-describedby="id_{prefix}-price_error"' in price
    assert re.search(rf'id="id_{prefix}-price_error" role="alert">[^<]*最高有效申报价', html)
    assert 'value="1234"' in _input(html, f"{prefix}-supply_capacity")
