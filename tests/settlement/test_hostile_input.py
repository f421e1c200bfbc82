"""Hostile numbers in settlement, through the API and the pages: amounts and prices of 1e400 or twenty 9s, money with
a comma in the wrong place ("0,02" was once ¥2.00 and marked a statement paid), ids of the wrong type, unknown
regions — each a 400 naming the field (or 403 for a user without the right), nothing written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from settlement.generation import generate_statements
from settlement.models import Payment, Prepayment, PriceCorrection, SettlementStatement
from tests.settlement.world import build_world, month_start, receive
from tests.utils import client_as, error_field

pytestmark = pytest.mark.django_db

HOSTILE_MONEY = ["1e400", "9" * 20, "0,02", "1,000.00", "²", "١٠", "１０", "NaN", "-Infinity", "1" + "0" * 24]


@pytest.fixture
def world():
    w = build_world()
    receive(w, packs=7, on=month_start(1) + timedelta(days=2))
    generate_statements(month=month_start(1))
    return w


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _approved(world) -> SettlementStatement:
    statement = SettlementStatement.objects.get(hospital=world.hospital)
    SettlementStatement.objects.filter(pk=statement.pk).update(status="approved", approved_amount=statement.amount)
    return statement


@pytest.mark.parametrize("amount", HOSTILE_MONEY)
def test_payments_refuse_hostile_amounts(world, amount):
    statement = _approved(world)
    response = api(world.fund_officer).post(
        f"/api/v1/settlement/statements/{statement.pk}/payments/", {"amount": amount, "reference": "B-1"}, format="json"
    )
    assert response.status_code == 400 and error_field(response) == "amount", response.content
    assert not Payment.objects.exists()
    assert SettlementStatement.objects.get(pk=statement.pk).status == "approved"


def test_a_json_number_in_exponent_form_is_refused_as_an_amount(world):
    statement = _approved(world)
    response = api(world.fund_officer).post(
        f"/api/v1/settlement/statements/{statement.pk}/payments/",
        '{"amount": 1e400, "reference": "B-1"}',
        content_type="application/json",
    )
    assert response.status_code == 400 and error_field(response) == "amount"
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["0,02", "1e400", "9" * 20, "²"])
def test_the_payment_page_refuses_what_the_api_refuses(world, amount):
    statement = _approved(world)
    client = client_as(world.fund_officer)
    client.post(f"/settlement/{statement.pk}/", {"action": "pay", "amount": amount, "reference": "B-1", "confirm": "1"})
    assert not Payment.objects.exists()
    assert SettlementStatement.objects.get(pk=statement.pk).status == "approved"


def test_the_payment_page_takes_full_width_digits_and_thousands_separators_in_place(world):
    statement = _approved(world)
    client = client_as(world.fund_officer)
    client.post(
        f"/settlement/{statement.pk}/", {"action": "pay", "amount": "１０．００", "reference": "B-1", "confirm": "1"}
    )
    assert Payment.objects.get().amount == Decimal("10.00")


@pytest.mark.parametrize("price", HOSTILE_MONEY)
def test_price_corrections_refuse_hostile_prices(world, price):
    response = api(world.fund_officer).post(
        "/api/v1/settlement/price-corrections/",
        {
            "listing": world.listing.pk,
            "unit_price": price,
            "effective_from": f"{month_start(1):%Y-%m-%d}",
            "reason": "更正",
        },
        format="json",
    )
    assert response.status_code == 400 and error_field(response) == "unit_price", response.content
    assert not PriceCorrection.objects.exists()


@pytest.mark.parametrize("price", HOSTILE_MONEY)
def test_listing_price_changes_refuse_hostile_prices(world, price):
    from tests.factories import AgencyFactory, UserFactory

    official = UserFactory(organization=AgencyFactory(), roles=["pricing_official"])
    before = world.plain_listing.unit_price
    response = api(official).post(
        f"/api/v1/listings/{world.plain_listing.pk}/change-price/",
        {"unit_price": price, "reason": "调价"},
        format="json",
    )
    assert response.status_code == 400 and error_field(response) == "unit_price", response.content
    world.plain_listing.refresh_from_db()
    assert world.plain_listing.unit_price == before


@pytest.mark.parametrize("hospital", ["abc", [1], "²", str(10**19), {"id": 1}])
def test_prepayments_refuse_a_bad_hospital_with_400_and_a_user_without_the_right_with_403(world, hospital):
    body = {"hospital": hospital, "tender": world.tender.pk}
    denied = api(world.hospital_user).post("/api/v1/settlement/prepayments/", body, format="json")
    assert denied.status_code == 403, denied.content
    response = api(world.fund_officer).post("/api/v1/settlement/prepayments/", body, format="json")
    assert response.status_code == 400 and error_field(response) == "hospital", response.content
    assert not Prepayment.objects.exists()


@pytest.mark.parametrize("rate", ["0,5", "1e0", "²", "9" * 20])
def test_prepayments_refuse_a_hostile_rate(world, rate):
    response = api(world.fund_officer).post(
        "/api/v1/settlement/prepayments/",
        {"hospital": world.hospital.pk, "tender": world.tender.pk, "rate": rate},
        format="json",
    )
    assert response.status_code == 400 and error_field(response) == "rate", response.content
    assert not Prepayment.objects.exists()


def test_reports_answer_400_for_an_unknown_region_or_a_foreign_digit(world):
    client = api(world.fund_officer)
    response = client.get(f"/api/v1/settlement/reconciliation/?region=nope&period={month_start(1):%Y-%m}")
    assert response.status_code == 400 and error_field(response) == "region"
    assert response.json()["code"] == "region_unknown"
    for tender in ("²", "١", str(10**19)):
        response = client.get(f"/api/v1/settlement/retained-savings/?tender={tender}")
        assert response.status_code == 400 and error_field(response) == "tender"


def test_review_dispute_keys_in_foreign_digits_are_refused(world):
    statement = SettlementStatement.objects.get(hospital=world.hospital)
    SettlementStatement.objects.filter(pk=statement.pk).update(status="claimed")
    response = api(world.hospital_user).post(
        f"/api/v1/settlement/statements/{statement.pk}/review/", {"disputes": {"²": "数量不符"}}, format="json"
    )
    assert response.status_code == 400 and error_field(response).startswith("disputes")
    assert SettlementStatement.objects.get(pk=statement.pk).status == "claimed"


@pytest.mark.parametrize("value", ["²", "١", str(10**19)])
def test_the_bulk_approval_page_refuses_foreign_digits_and_approves_nothing(world, value):
    statement = SettlementStatement.objects.get(hospital=world.hospital)
    SettlementStatement.objects.filter(pk=statement.pk).update(status="hospital_confirmed")
    response = client_as(world.fund_officer).post("/settlement/", {"statement_ids": [value], "confirm": "1"})
    assert response.status_code in (200, 302)
    assert SettlementStatement.objects.get(pk=statement.pk).status == "hospital_confirmed"
