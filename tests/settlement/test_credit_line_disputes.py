"""Disputes of credit lines (a price cut or a return settled after the original statement: a negative line).

The rule: a hospital may dispute any line, credits included; the statement's disputed amount is the money in question
(each disputed line by its size, never negative); the manufacturer answers a disputed credit and keeps it — it cannot
drop it, since a dropped line moves to a later statement and dropping a credit would pay it more now."""

from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from settlement.generation import generate_statements
from settlement.models import SettlementLine, SettlementStatement
from tests.settlement.test_price_adjustments import _correct, _paid_month
from tests.settlement.world import build_world, month_start, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def claimed(world):
    """Last month's statement: a receipt of 10.25 less 0.27 at the corrected price, and the credits of −0.82 and −0.41
    for the paid month before; claimed by the manufacturer."""
    _paid_month(world)
    _correct(world)
    last = month_start(1)
    receive(world, packs=2, on=last + timedelta(days=3))
    generate_statements(month=last)
    statement = SettlementStatement.objects.get(period=last)
    _api(world.maker_rep).post(_url(statement, "claim/"), {"invoice_numbers": ["22345678"]}, format="json")
    statement.refresh_from_db()
    assert statement.status == "claimed" and statement.amount == Decimal("8.75")
    return statement


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(statement, action=""):
    return f"/api/v1/settlement/statements/{statement.pk}/{action}"


def _credit(statement, amount="-0.82"):
    return statement.lines.get(kind="price_adjustment", amount=Decimal(amount))


def test_a_hospital_disputes_a_credit_line_through_the_api(world, claimed):
    credit = _credit(claimed)
    response = _api(world.hospital_user).post(
        _url(claimed, "review/"), {"disputes": {str(credit.pk): "冲减金额应为 7.10"}}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["amount"], data["disputed_amount"]) == ("draft", "8.75", "0.82")
    credit.refresh_from_db()
    assert credit.disputed and credit.dispute_reason == "冲减金额应为 7.10"


def test_a_disputed_credit_and_charge_both_count_in_the_disputed_amount(world, claimed):
    disputes = {str(line.pk): "核对中" for line in claimed.lines.all()}
    response = _api(world.hospital_user).post(_url(claimed, "review/"), {"disputes": disputes}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["disputed_amount"] == "11.21"  # 9.98 + 0.82 + 0.41, the money in question


def test_the_manufacturer_keeps_a_disputed_credit_with_an_answer_and_cannot_drop_it(world, claimed):
    credit, charge = _credit(claimed), claimed.lines.get(kind="receipt")
    _api(world.hospital_user).post(
        _url(claimed, "review/"), {"disputes": {str(credit.pk): "冲减有误", str(charge.pk): "数量不符"}}, format="json"
    )
    maker = _api(world.maker_rep)
    lines_before = sorted(SettlementLine.objects.values_list("pk", "amount", "disputed"))
    response = maker.post(
        _url(claimed, "claim/"), {"invoice_numbers": ["22345678"], "drop_line_ids": [credit.pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "drop_line_ids" and response.json()["code"] == "credit_line_not_droppable"
    assert sorted(SettlementLine.objects.values_list("pk", "amount", "disputed")) == lines_before
    claimed.refresh_from_db()
    assert (claimed.status, claimed.amount, claimed.disputed_amount) == ("draft", Decimal("8.75"), Decimal("10.80"))
    # the charge may go to a later statement; the credit stays, answered
    response = maker.post(
        _url(claimed, "claim/"),
        {"invoice_numbers": ["22345678"], "drop_line_ids": [charge.pk], "response": "更正依据全国最低价联动"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["amount"], response.json()["disputed_amount"]) == (
        "claimed",
        "-1.23",
        "0.00",
    )
    credit.refresh_from_db()
    assert not credit.disputed and credit.response == "更正依据全国最低价联动"


def test_a_hospital_disputes_a_credit_line_on_the_page(world, claimed, client):
    credit = _credit(claimed)
    client.force_login(world.hospital_user)
    url = f"/settlement/{claimed.pk}/"
    response = client.post(url, {"action": "review", f"disputed_{credit.pk}": "1", f"dispute_{credit.pk}": "冲减有误"})
    assert response.status_code == 302
    claimed.refresh_from_db()
    assert (claimed.status, claimed.disputed_amount) == ("draft", Decimal("0.82"))
    page = client.get(url).content.decode()
    assert "冲减有误" in page and "0.82" in page
    client.force_login(world.maker_rep)
    page = client.get(url).content.decode()
    assert f'name="drop_line_ids" value="{credit.pk}"' not in page and "冲减明细不能撤回" in page
    # a crafted drop is refused with the message, and nothing changes
    response = client.post(
        url, {"action": "claim", "invoice_numbers": "22345678", "drop_line_ids": [credit.pk]}, follow=True
    )
    assert "不能撤回" in response.content.decode()
    assert SettlementLine.objects.filter(pk=credit.pk, disputed=True).exists()
