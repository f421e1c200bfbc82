"""Price corrections of receipt lines already settled: the settled statement stays as it is, the difference is settled
once as a price-adjustment line of the next statement, and the ledger and reconciliation still balance."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from common.errors import ConflictError, ValidationFailed
from settlement import ledger
from settlement.errors import SettlementError
from settlement.generation import acquire_lock, generate_statements, release_lock
from settlement.models import (
    JournalEntry,
    JournalLine,
    PriceAdjustment,
    PriceCorrection,
    SettlementLine,
    SettlementStatement,
)
from settlement.selectors import reconciliation
from settlement.services.corrections import price_correction_create
from settlement.services.payments import payment_record
from settlement.services.review import statement_approve
from settlement.services.statements import statement_claim, statement_review
from tests.settlement.world import build_world, give_back, month_start, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _paid_month(world):
    """Two months back: A 7 packs (one returned), B 3 packs; the statement generated, confirmed, approved, paid."""
    period = month_start(2)
    a = receive(world, packs=7, on=period + timedelta(days=2))  # 70 × 0.5123 = 35.861 → 35.86
    give_back(a, packs=1, on=period + timedelta(days=4))  # 10 × 0.5123 = 5.123 → 5.12
    b = receive(world, packs=3, on=period + timedelta(days=6))  # 30 × 0.5123 = 15.369 → 15.37
    generate_statements(month=period)
    first = SettlementStatement.objects.get(period=period)
    assert first.amount == Decimal("46.11")
    statement_claim(statement=first, by=world.maker_rep, invoice_numbers="12345678")
    statement_review(statement=first, by=world.hospital_user)
    statement_approve(statement=first, by=world.fund_officer)
    payment_record(statement=first, amount="46.11", reference="BANK-1", by=world.fund_officer)
    first.refresh_from_db()
    assert first.status == "paid"
    return period, first, a, b


def _correct(world, price="0.4987", start=None, end=None):
    return price_correction_create(
        listing=world.listing,
        unit_price=price,
        effective_from=start or month_start(2),
        effective_to=end,
        reason="全国最低价联动下调",
        by=world.fund_officer,
    )


def _ledger_state():
    return sorted(JournalLine.objects.values_list("account_id").annotate(t=Sum("amount")).order_by())


def test_correction_of_a_paid_line_is_settled_in_the_next_statement_to_the_fen(world):
    two_back, first, a, b = _paid_month(world)
    snapshot = (first.amount, first.paid_amount, list(first.lines.values_list("pk", "amount")))
    correction = _correct(world)  # 0.5123 → 0.4987: −0.0136 per unit
    adjustments = {pa.receipt_line_id: pa for pa in PriceAdjustment.objects.all()}
    assert set(adjustments) == {a.pk, b.pk}
    assert (adjustments[a.pk].units, adjustments[a.pk].amount) == (60, Decimal("-0.82"))  # −0.816
    assert (adjustments[b.pk].units, adjustments[b.pk].amount) == (30, Decimal("-0.41"))  # −0.408
    assert all(pa.statement_id == first.pk and pa.correction_id == correction.pk for pa in adjustments.values())
    first.refresh_from_db()
    assert (first.amount, first.paid_amount, list(first.lines.values_list("pk", "amount"))) == snapshot

    last = month_start(1)
    c = receive(world, packs=2, on=last + timedelta(days=3))  # 20 × 0.5123 = 10.25, corrected −0.27
    returned = give_back(a, packs=1, on=last + timedelta(days=5))  # 5.12, reversed at 0.4987: −5.12 + 0.14
    for _ in range(3):
        generate_statements(month=last)
    assert SettlementStatement.objects.filter(period=last).count() == 1
    second = SettlementStatement.objects.get(period=last)
    lines = {(ln.kind, ln.receipt_line_id): ln for ln in second.lines.all()}
    assert set(lines) == {
        ("receipt", c.pk),
        ("return_adjustment", a.pk),
        ("price_adjustment", a.pk),
        ("price_adjustment", b.pk),
    }
    assert lines["receipt", c.pk].amount == Decimal("9.98")
    ret = lines["return_adjustment", a.pk]
    assert (ret.return_line_id, ret.settled_unit_price, ret.correction_amount, ret.amount) == (
        returned.pk,
        Decimal("0.4987"),
        Decimal("0.14"),
        Decimal("-4.98"),
    )
    pa_line = lines["price_adjustment", a.pk]
    assert (
        pa_line.min_units,
        pa_line.unit_price,
        pa_line.settled_unit_price,
        pa_line.correction_amount,
        pa_line.amount,
        pa_line.gross_amount,
    ) == (60, Decimal("0.5123"), Decimal("0.4987"), Decimal("-0.82"), Decimal("-0.82"), Decimal("0"))
    assert pa_line.price_adjustment.statement == first and pa_line.correction_id == correction.pk
    assert (
        second.line_count,
        second.gross_amount,
        second.returned_amount,
        second.correction_amount,
        second.amount,
    ) == (4, Decimal("10.25"), Decimal("5.12"), Decimal("-1.36"), Decimal("3.77"))
    assert second.amount == second.lines.aggregate(t=Sum("amount"))["t"]
    # Each adjustment settled exactly once, however often the month is generated.
    assert SettlementLine.objects.filter(kind="price_adjustment").count() == 2

    statement_claim(statement=second, by=world.maker_rep, invoice_numbers="22345678")
    statement_review(statement=second, by=world.hospital_user)
    statement_approve(statement=second, by=world.fund_officer)
    payment_record(statement=second, amount="3.77", reference="BANK-2", by=world.fund_officer)
    for entry in JournalEntry.objects.all():
        assert entry.lines.aggregate(t=Sum("amount"))["t"] == 0
    assert JournalLine.objects.aggregate(t=Sum("amount"))["t"] == 0
    fund = first.fund
    assert ledger.account_balance(ledger.hospital_account(fund, world.hospital.pk)) == Decimal("49.88")
    assert ledger.account_balance(ledger.manufacturer_account(fund, world.maker.pk)) == Decimal("0.00")
    for period in (two_back, last):
        report = reconciliation(period=period)
        assert report["differences"] == [] and report["unbalanced_entries"] == []


def test_a_second_correction_adjusts_from_the_first_corrected_price(world):
    _paid_month(world)
    _correct(world, "0.4987")
    _correct(world, "0.5000", start=month_start(2) + timedelta(days=5))  # covers B only: +0.0013 × 30 = 0.039
    second = PriceAdjustment.objects.order_by("pk").last()
    assert (second.previous_unit_price, second.unit_price, second.amount) == (
        Decimal("0.4987"),
        Decimal("0.5000"),
        Decimal("0.04"),
    )
    generate_statements(month=month_start(1))
    statement = SettlementStatement.objects.get(period=month_start(1))
    assert statement.amount == Decimal("-0.82") + Decimal("-0.41") + Decimal("0.04")
    assert statement.lines.filter(kind="price_adjustment").count() == 3


def test_repeating_a_correction_writes_nothing(world):
    _paid_month(world)
    first = _correct(world)
    assert first.created
    counts = (PriceCorrection.objects.count(), PriceAdjustment.objects.count())
    again = _correct(world)
    assert again == first and not again.created
    assert (PriceCorrection.objects.count(), PriceAdjustment.objects.count()) == counts
    # Another period at the same price: the lines already at that price get nothing more.
    _correct(world, start=month_start(2) + timedelta(days=1))
    assert PriceAdjustment.objects.count() == counts[1]


@pytest.mark.parametrize(
    "price, code",
    [
        ("-0.10", SettlementError.PRICE_NOT_POSITIVE),
        ("0", SettlementError.PRICE_NOT_POSITIVE),
        ("abc", "invalid_number"),
        ("0.12345", SettlementError.TOO_MANY_DECIMALS),
    ],
)
def test_a_bad_price_is_refused_and_nothing_is_written(world, price, code):
    _paid_month(world)
    before = (PriceCorrection.objects.count(), PriceAdjustment.objects.count(), _ledger_state())
    with pytest.raises(ValidationFailed) as err:
        _correct(world, price)
    assert err.value.code == code and err.value.field == "unit_price"
    assert (PriceCorrection.objects.count(), PriceAdjustment.objects.count(), _ledger_state()) == before


def test_no_correction_while_a_generation_runs(world):
    _paid_month(world)
    token = acquire_lock()
    try:
        with pytest.raises(ConflictError) as refused:
            _correct(world)
        assert refused.value.code == SettlementError.GENERATION_RUNNING
    finally:
        release_lock(token)
    assert not PriceCorrection.objects.exists() and not PriceAdjustment.objects.exists()


def test_an_adjustment_goes_into_one_statement_line_only(world):
    _paid_month(world)
    _correct(world)
    generate_statements(month=month_start(1))
    line = SettlementLine.objects.filter(kind="price_adjustment").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementLine.objects.create(
            statement=line.statement,
            kind="price_adjustment",
            receipt_line_id=line.receipt_line_id,
            price_adjustment=line.price_adjustment,
            product_id=line.product_id,
            received_on=line.received_on,
            min_units=1,
            unit_price=1,
            settled_unit_price=1,
            gross_amount=0,
            amount=1,
            due_on=line.due_on,
        )
    assert SettlementLine.objects.filter(price_adjustment=line.price_adjustment).count() == 1


def test_adjustments_wait_for_a_later_month_than_the_original_statement(world):
    two_back, first, _, _ = _paid_month(world)
    _correct(world)
    assert generate_statements(month=two_back).lines_created == 0  # the original month: nothing to add
    assert PriceAdjustment.objects.count() == 2
    assert not SettlementLine.objects.filter(kind="price_adjustment").exists()


def _disputed_then_corrected(world):
    """Two months back: A 7 packs (35.86), B 3 packs (15.37), claimed; the hospital disputes A; then the price is
    corrected (0.5123 → 0.4987) while A is still in the statement."""
    period = month_start(2)
    a = receive(world, packs=7, on=period + timedelta(days=2))
    receive(world, packs=3, on=period + timedelta(days=6))
    generate_statements(month=period)
    first = SettlementStatement.objects.get(period=period)
    statement_claim(statement=first, by=world.maker_rep, invoice_numbers="12345678")
    line_a = first.lines.get(receipt_line=a)
    statement_review(statement=first, by=world.hospital_user, disputes={line_a.pk: "数量不符"})
    _correct(world)
    return first, a, line_a


def test_a_dropped_line_is_settled_again_at_the_corrected_price_without_its_adjustment(world):
    first, a, line_a = _disputed_then_corrected(world)
    assert PriceAdjustment.objects.filter(receipt_line=a).count() == 1
    statement_claim(statement=first, by=world.maker_rep, invoice_numbers="12345678", drop_line_ids=[line_a.pk])
    assert not PriceAdjustment.objects.filter(receipt_line=a).exists()
    generate_statements(month=month_start(1))
    again = SettlementLine.objects.get(receipt_line=a, kind="receipt")
    assert (again.settled_unit_price, again.amount) == (Decimal("0.4987"), Decimal("34.91"))  # 35.86 − 0.952
    later = SettlementStatement.objects.get(period=month_start(1))
    assert later.amount == Decimal("34.91") + Decimal("-0.41")  # and B's adjustment


def test_dropping_a_line_whose_adjustment_is_already_settled_is_refused(world):
    first, a, line_a = _disputed_then_corrected(world)
    generate_statements(month=month_start(1))
    with pytest.raises(ConflictError) as refused:
        statement_claim(statement=first, by=world.maker_rep, invoice_numbers="12345678", drop_line_ids=[line_a.pk])
    assert refused.value.code == SettlementError.PRICE_ADJUSTMENT_SETTLED and refused.value.field == "drop_line_ids"
    assert first.lines.filter(pk=line_a.pk).exists() and PriceAdjustment.objects.filter(receipt_line=a).exists()


def test_the_api_records_a_correction_once_and_refuses_bad_input(world):
    from rest_framework.test import APIClient

    _paid_month(world)
    api = APIClient()
    api.force_authenticate(world.fund_officer)
    body = {
        "listing": world.listing.pk,
        "unit_price": "0.4987",
        "effective_from": f"{month_start(2):%Y-%m-%d}",
        "reason": "联动下调",
    }
    response = api.post("/api/v1/settlement/price-corrections/", body, format="json")
    assert response.status_code == 201 and response.json()["adjustments"] == 2
    assert response.json()["adjustments_amount"] == "-1.23"
    again = api.post("/api/v1/settlement/price-corrections/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    bad = api.post("/api/v1/settlement/price-corrections/", {**body, "unit_price": "-1"}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "unit_price"
    api.force_authenticate(world.maker_rep)
    assert api.post("/api/v1/settlement/price-corrections/", body, format="json").status_code == 403
    assert (PriceCorrection.objects.count(), PriceAdjustment.objects.count()) == (1, 2)
