"""基金审核: approve whole or with reductions (核减, line by line with reasons), return to the manufacturer, and the
confirmation a page asks before money moves. Refusals write nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from settlement.errors import SettlementError, ValidationFailed
from settlement.generation import generate_statements
from settlement.models import JournalLine, SettlementLine, SettlementStatement, StatementEvent
from settlement.selectors import reconciliation, statement_deadlines
from settlement.services.payments import payment_record
from settlement.services.review import statement_approve, statement_return
from settlement.services.statements import statement_claim, statement_review
from tests.settlement.world import build_world, month_start, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def confirmed(world):
    """A statement of last month with two receipt lines (7 and 3 packs of 10 at ¥0.5123), claimed and confirmed."""
    period = month_start(1)
    receive(world, packs=7, on=period + timedelta(days=2))
    receive(world, packs=3, on=period + timedelta(days=9))
    generate_statements(month=period)
    statement = SettlementStatement.objects.get(hospital=world.hospital)
    statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="12345678")
    return statement_review(statement=statement, by=world.hospital_user)


def _state(statement):
    statement.refresh_from_db()
    lines = list(statement.lines.order_by("pk").values_list("reduced_amount", "reduction_reason"))
    return (
        statement.status,
        statement.approved_amount,
        statement.reduced_amount,
        statement.version,
        lines,
        JournalLine.objects.count(),
        StatementEvent.objects.count(),
    )


def _lines(statement):
    return list(statement.lines.order_by("pk"))


def test_approval_with_a_reduction_pays_only_the_rest_and_the_ledger_agrees(world, confirmed):
    first, second = _lines(confirmed)
    assert confirmed.amount == Decimal("51.23")
    approved = statement_approve(
        statement=confirmed,
        by=world.fund_officer,
        reductions={str(second.pk): {"amount": "5.12", "reason": "该批次发票金额与验收不符"}},
    )
    assert approved.status == "approved"
    assert approved.reduced_amount == Decimal("5.12") and approved.approved_amount == Decimal("46.11")
    second.refresh_from_db()
    assert second.reduced_amount == Decimal("5.12") and second.reduction_reason == "该批次发票金额与验收不符"
    event = approved.events.get(action="approved")
    assert event.data["reduced"] == "5.12" and event.reason == "该批次发票金额与验收不符"
    report = reconciliation(period=month_start(1))
    assert report["totals"]["ledger_approved"] == Decimal("46.11") and not report["differences"]
    with pytest.raises(ValidationFailed) as err:  # the fund never pays what it reduced
        payment_record(statement=confirmed, amount="46.12", reference="BANK-0009", by=world.fund_officer)
    assert err.value.code == SettlementError.PAYMENT_OVER_APPROVED
    payment_record(statement=confirmed, amount="46.11", reference="BANK-0010", by=world.fund_officer)
    confirmed.refresh_from_db()
    assert confirmed.status == "paid"


@pytest.mark.parametrize(
    ("make", "field", "code"),
    [
        (lambda a, b: {str(b.pk): {"amount": "0", "reason": "x"}}, "reductions.{b}.amount", "REDUCTION_NOT_POSITIVE"),
        (lambda a, b: {str(b.pk): {"amount": "-1", "reason": "x"}}, "reductions.{b}.amount", "REDUCTION_NOT_POSITIVE"),
        (lambda a, b: {str(b.pk): {"amount": "99.00", "reason": "x"}}, "reductions.{b}.amount", "REDUCTION_OVER_LINE"),
        (
            lambda a, b: {str(b.pk): {"amount": "1.00", "reason": " "}},
            "reductions.{b}.reason",
            "REDUCTION_REASON_REQUIRED",
        ),
        (lambda a, b: {str(b.pk): {"amount": "1.001", "reason": "x"}}, "reductions.{b}.amount", "TOO_MANY_DECIMALS"),
        (lambda a, b: {str(b.pk): {"amount": "abc", "reason": "x"}}, "reductions.{b}.amount", "INVALID_NUMBER"),
        (lambda a, b: {"999999": {"amount": "1", "reason": "x"}}, "reductions.999999", "LINE_NOT_IN_STATEMENT"),
        (
            lambda a, b: {
                str(a.pk): {"amount": str(a.amount), "reason": "x"},
                str(b.pk): {"amount": str(b.amount), "reason": "y"},
            },
            "reductions",
            "REDUCTION_WHOLE_STATEMENT",
        ),
    ],
)
def test_a_bad_reduction_names_its_field_and_writes_nothing(world, confirmed, make, field, code):
    first, second = _lines(confirmed)
    before = _state(confirmed)
    with pytest.raises(ValidationFailed) as err:
        statement_approve(statement=confirmed, by=world.fund_officer, reductions=make(first, second))
    assert err.value.field == field.format(b=second.pk)
    assert err.value.code.name == code
    assert _state(confirmed) == before


def test_return_sends_the_statement_back_to_the_manufacturer_with_its_reason(world, confirmed):
    returned = statement_return(statement=confirmed, by=world.fund_officer, reason="发票抬头与医疗机构名称不一致")
    assert returned.status == "draft" and returned.confirmed_at is None and returned.confirm_due_on is None
    assert returned.claim_due_on >= timezone.localdate()
    event = returned.events.get(action="returned")
    assert event.reason == "发票抬头与医疗机构名称不一致" and event.from_status == "hospital_confirmed"
    # the manufacturer claims again, the hospital confirms again, the fund approves
    statement_claim(statement=returned, by=world.maker_rep, invoice_numbers="22345678")
    statement_review(statement=returned, by=world.hospital_user)
    assert statement_approve(statement=returned, by=world.fund_officer).approved_amount == Decimal("51.23")


def test_return_refusals_write_nothing(world, confirmed):
    before = _state(confirmed)
    with pytest.raises(ValidationFailed) as err:
        statement_return(statement=confirmed, by=world.fund_officer, reason="  ")
    assert err.value.field == "reason" and err.value.code == SettlementError.RETURN_REASON_REQUIRED
    from settlement.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        statement_return(statement=confirmed, by=world.hospital_user, reason="x")
    assert _state(confirmed) == before
    statement_approve(statement=confirmed, by=world.fund_officer)
    from settlement.errors import ConflictError

    with pytest.raises(ConflictError) as err:  # an approved statement is not returned
        statement_return(statement=confirmed, by=world.fund_officer, reason="x")
    assert err.value.code == SettlementError.STATEMENT_NOT_CONFIRMED


def test_the_page_asks_before_money_moves(world, confirmed):
    client = Client()
    client.force_login(world.fund_officer)
    url = f"/settlement/{confirmed.pk}/"
    page = client.get(url).content.decode()
    assert 'id="approve-form"' in page and 'name="confirm"' in page and "退回企业" in page
    before = _state(confirmed)
    client.post(url, {"action": "approve"})  # the box not ticked
    assert _state(confirmed) == before
    page = client.get(url).content.decode()
    assert "请勾选确认审核金额" in page
    second = _lines(confirmed)[1]
    client.post(
        url,
        {"action": "approve", "confirm": "1", f"reduce_{second.pk}": "1.00", f"reduce_reason_{second.pk}": ""},
    )
    assert _state(confirmed) == before
    assert "请填写核减原因" in client.get(url).content.decode()
    client.post(
        url,
        {"action": "approve", "confirm": "1", f"reduce_{second.pk}": "1.00", f"reduce_reason_{second.pk}": "数量不符"},
    )
    confirmed.refresh_from_db()
    assert confirmed.status == "approved" and confirmed.approved_amount == Decimal("50.23")
    page = client.get(url).content.decode()
    assert "基金审核通过" in page and "待基金审核 → 待支付" in page  # the log in words, not codes
    assert "hospital_confirmed" not in page.split("操作记录")[1]


def test_bulk_approval_needs_its_confirmation(world, confirmed):
    client = Client()
    client.force_login(world.fund_officer)
    client.post("/settlement/", {"statement_ids": [confirmed.pk]})
    confirmed.refresh_from_db()
    assert confirmed.status == "hospital_confirmed"
    client.post("/settlement/", {"statement_ids": [confirmed.pk], "confirm": "1"})
    confirmed.refresh_from_db()
    assert confirmed.status == "approved"


def test_deadlines_are_listed_in_the_order_they_fall_and_flag_the_late_ones(world, confirmed):
    confirmed.payment_due_on = timezone.localdate() - timedelta(days=31)
    confirmed.save(update_fields=["payment_due_on"])
    steps = statement_deadlines(confirmed)
    dates = [s["date"] for s in steps]
    assert dates == sorted(dates) and steps[0]["key"] == "payment"
    assert all(s["after_payment"] for s in steps if s["key"] != "payment")
    client = Client()
    client.force_login(world.fund_officer)
    page = client.get(f"/settlement/{confirmed.pk}/").content.decode()
    assert "逾期 31 天" in page and "剩余 -" not in page and "晚于付款期限" not in page  # claim and confirmation done


def test_the_api_approves_with_reductions_and_returns(world, confirmed):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.fund_officer)
    second = _lines(confirmed)[1]
    url = f"/api/v1/settlement/statements/{confirmed.pk}/"
    bad = api.post(url + "approve/", {"reductions": {str(second.pk): {"amount": "1", "reason": ""}}}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == f"reductions.{second.pk}.reason"
    refused = api.post(url + "return/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "return_reason_required"
    done = api.post(url + "return/", {"reason": "发票号有误"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "draft"
    assert SettlementLine.objects.filter(statement=confirmed, reduced_amount__gt=0).count() == 0
