"""The numbers policy sets are settings (common.rules): changing them moves the deadlines and the prepayment floor.
Who may take which step of a statement is one decision (settlement.policies): the services, the page and the API
agree with it for every status and role."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from common.errors import DomainError
from settlement import policies
from settlement.checks import settlement_rules_check
from settlement.errors import SettlementError
from settlement.generation import generate_statements, next_month
from settlement.models import FundAccount, SettlementStatement
from settlement.selectors import overdue_statements
from settlement.services.calendar import add_working_days
from settlement.services.deadlines import settlements_daily_check
from settlement.services.payments import payment_record
from settlement.services.prepayments import prepayment_create
from settlement.services.review import statement_approve, statement_return
from settlement.services.statements import (
    statement_claim,
    statement_review,
    statement_update_invoices,
)
from tests.factories import UserFactory
from tests.settlement.world import build_world, month_start, receive

pytestmark = pytest.mark.django_db

S = SettlementStatement.Status


@pytest.fixture
def world():
    return build_world()


def _statement(world, *, received_day: int = 3) -> SettlementStatement:
    period = month_start(1)
    receive(world, packs=5, on=period + timedelta(days=received_day))
    receive(world, packs=2, on=period + timedelta(days=received_day + 7))
    generate_statements(month=period)
    return SettlementStatement.objects.get(hospital=world.hospital)


# --- the settings move the deadlines ------------------------------------------------------------------------------


def test_the_payment_term_and_the_claim_day_are_settings(world):
    period = month_start(1)
    with override_settings(SETTLEMENT_PAYMENT_TERM_DAYS=45, SETTLEMENT_CLAIM_DAY=12):
        statement = _statement(world)
    first = period + timedelta(days=3)
    # the term counts from acceptance at receipt (the earliest line's for the statement)
    assert statement.payment_due_on == first + timedelta(days=45)
    assert sorted(line.due_on for line in statement.lines.all()) == [
        first + timedelta(days=45),
        first + timedelta(days=52),
    ]
    assert statement.claim_due_on == next_month(period).replace(day=12)


def test_the_default_payment_term_is_thirty_days_from_receipt_and_claims_due_on_the_fifth(world):
    period = month_start(1)
    statement = _statement(world)
    assert statement.payment_due_on == period + timedelta(days=3 + 30)
    assert statement.claim_due_on == next_month(period).replace(day=5)


def test_the_confirmation_window_is_a_setting(world):
    statement = _statement(world)
    with override_settings(SETTLEMENT_CONFIRMATION_WORKING_DAYS=2):
        claimed = statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="12345678")
    assert claimed.confirm_due_on == add_working_days(timezone.localdate(), 2)
    assert claimed.confirm_due_on < add_working_days(timezone.localdate(), 5)


def test_due_soon_is_a_setting(world):
    statement = _statement(world)
    due = statement.payment_due_on
    settlements_daily_check(today=due - timedelta(days=8))
    statement.refresh_from_db()
    assert not statement.due_soon
    assert not overdue_statements(world.fund_officer, today=due - timedelta(days=8)).exists()
    with override_settings(SETTLEMENT_DUE_SOON_DAYS=10):
        settlements_daily_check(today=due - timedelta(days=8))
        assert list(overdue_statements(world.fund_officer, today=due - timedelta(days=8))) == [statement]
    statement.refresh_from_db()
    assert statement.due_soon and not statement.overdue


def test_a_configured_prepayment_floor_raises_the_rate(world):
    with override_settings(SETTLEMENT_MIN_PREPAYMENT_RATE="0.50"):
        with pytest.raises(DomainError) as refused:
            prepayment_create(hospital=world.hospital, tender=world.tender, by=world.fund_officer, rate="0.40")
        assert refused.value.code == SettlementError.PREPAYMENT_RATE_OUT_OF_RANGE and refused.value.field == "rate"
        prepayment = prepayment_create(hospital=world.hospital, tender=world.tender, by=world.fund_officer)
    assert prepayment.rate == Decimal("0.50") and prepayment.amount == Decimal("2561.50")  # 50 % of 5123.00
    fund = FundAccount.objects.get(pk=prepayment.fund_id)
    fund.prepayment_rate = Decimal("0.40")
    fund.full_clean()  # the national floor: 30 %
    with override_settings(SETTLEMENT_MIN_PREPAYMENT_RATE="0.50"), pytest.raises(ValidationError) as invalid:
        fund.full_clean()
    assert "prepayment_rate" in invalid.value.message_dict


@pytest.mark.parametrize(
    "overrides, ids",
    [
        ({}, []),
        ({"SETTLEMENT_MIN_PREPAYMENT_RATE": "0.50"}, []),
        ({"SETTLEMENT_MIN_PREPAYMENT_RATE": "0.20"}, ["settlement.E001"]),
        ({"SETTLEMENT_MIN_PREPAYMENT_RATE": "abc"}, ["settlement.E001"]),
        ({"SETTLEMENT_CLAIM_DAY": 31}, ["settlement.E002"]),
        ({"SETTLEMENT_PAYMENT_TERM_DAYS": 0}, ["settlement.E002"]),
    ],
)
def test_the_system_check_refuses_a_floor_below_the_law_and_impossible_days(overrides, ids):
    with override_settings(**overrides):
        assert [e.id for e in settlement_rules_check(None)] == ids


# --- who may do what ------------------------------------------------------------------------------------------


class _Done(Exception):
    """Rolls back a step that succeeded, so every step is tried on the same statement."""


def _try(step, statement: SettlementStatement, user) -> bool:
    try:
        with transaction.atomic():
            step(SettlementStatement.objects.get(pk=statement.pk), user)
            raise _Done
    except _Done:
        return True
    except DomainError:
        return False


STEPS = {
    policies.CLAIM: lambda s, u: statement_claim(statement=s, by=u, invoice_numbers="12345678"),
    policies.INVOICES: lambda s, u: statement_update_invoices(statement=s, by=u, invoice_numbers="87654321"),
    policies.REVIEW: lambda s, u: statement_review(statement=s, by=u),
    policies.APPROVE: lambda s, u: statement_approve(statement=s, by=u),
    policies.RETURN: lambda s, u: statement_return(statement=s, by=u, reason="发票有误"),
    policies.PAY: lambda s, u: payment_record(statement=s, amount="0.01", reference="BANK-T", by=u),
}

EXPECTED = {
    # status: {role: allowed actions}; a role not named is allowed nothing
    S.DRAFT: {"maker": {"claim", "invoices"}, "fund_for_inactive_maker": {"claim"}},
    S.CLAIMED: {"maker": {"invoices"}, "hospital": {"review"}},
    S.HOSPITAL_CONFIRMED: {"fund": {"approve", "return"}, "fund_for_inactive_maker": {"approve", "return"}},
    S.APPROVED: {"fund": {"pay"}, "fund_for_inactive_maker": {"pay"}},
    S.PARTIALLY_PAID: {"fund": {"pay"}, "fund_for_inactive_maker": {"pay"}},
    S.PAID: {},
}
ROLES = ("maker", "other_maker", "hospital", "other_hospital", "fund", "fund_for_inactive_maker")


def _user(world, role: str):
    if role == "other_hospital":
        return UserFactory(username="Wbuyer2", organization=world.far_hospital, roles=["hospital_admin"])
    if role == "fund_for_inactive_maker":
        world.maker.is_active = False
        world.maker.save(update_fields=["is_active"])
        return world.fund_officer
    return {
        "maker": world.maker_rep,
        "other_maker": world.other_rep,
        "hospital": world.hospital_user,
        "fund": world.fund_officer,
    }[role]


def _put_in(statement: SettlementStatement, status: str) -> None:
    """The statement in `status`, approved (for the amount) when the status is at or past approval."""
    approved = statement.amount if status in (S.APPROVED, S.PARTIALLY_PAID, S.PAID) else 0
    paid = {S.PARTIALLY_PAID: Decimal("0.01"), S.PAID: approved}.get(status, 0)
    SettlementStatement.objects.filter(pk=statement.pk).update(
        status=status, approved_amount=approved, paid_amount=paid
    )
    statement.refresh_from_db()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", list(EXPECTED))
def test_the_allowed_actions_are_what_the_services_accept(world, status, role):
    statement = _statement(world)
    user = _user(world, role)
    _put_in(statement, status)
    statement = SettlementStatement.objects.select_related("manufacturer").get(pk=statement.pk)
    allowed = policies.statement_allowed_actions(user, statement)
    assert allowed == EXPECTED[status].get(role, set())
    assert {action for action, step in STEPS.items() if _try(step, statement, user)} == allowed


def test_the_page_offers_the_allowed_actions_only(world, client):
    statement = _statement(world)
    url = f"/settlement/{statement.pk}/"
    client.force_login(world.maker_rep)
    page = client.get(url).content.decode()
    assert 'value="claim"' in page and 'value="invoices"' not in page and 'value="approve"' not in page
    client.force_login(world.hospital_user)
    page = client.get(url).content.decode()
    assert not any(f'name="action" value="{a}"' in page for a in policies.ACTIONS)
    statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="12345678")
    page = client.get(url).content.decode()
    assert 'value="review"' in page and f'name="disputed_{statement.lines.first().pk}"' in page
    client.force_login(world.fund_officer)
    page = client.get(url).content.decode()
    assert not any(f'name="action" value="{a}"' in page for a in policies.ACTIONS)
    # a fund officer claims for a deactivated manufacturer, on the page as over the API
    SettlementStatement.objects.filter(pk=statement.pk).update(status=S.DRAFT)
    world.maker.is_active = False
    world.maker.save(update_fields=["is_active"])
    page = client.get(url).content.decode()
    assert 'name="action" value="claim"' in page


def test_the_api_reports_the_allowed_actions(world):
    statement = _statement(world)

    def actions(user) -> list[str]:
        api = APIClient()
        api.force_authenticate(user)
        detail = api.get(f"/api/v1/settlement/statements/{statement.pk}/").json()
        listed = {r["id"]: r for r in api.get("/api/v1/settlement/statements/").json()["results"]}
        assert listed[statement.pk]["allowed_actions"] == detail["allowed_actions"]
        return detail["allowed_actions"]

    assert actions(world.maker_rep) == ["claim", "invoices"]
    assert actions(world.hospital_user) == []
    assert actions(world.fund_officer) == []
    api = APIClient()
    api.force_authenticate(world.maker_rep)
    response = api.post(
        f"/api/v1/settlement/statements/{statement.pk}/claim/", {"invoice_numbers": ["12345678"]}, format="json"
    )
    assert response.json()["allowed_actions"] == ["invoices"]
    assert actions(world.hospital_user) == ["review"]
