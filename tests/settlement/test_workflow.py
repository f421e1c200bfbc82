"""The statement workflow, payments and the ledger: every bad input of the rules gets a clear error and changes nothing."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import translation
from openpyxl import Workbook

from common.errors import ConflictError, NotFoundError, ValidationFailed
from settlement.errors import SettlementError
from settlement.generation import generate_statements
from settlement.models import (
    HospitalDeduction,
    JournalEntry,
    JournalLine,
    Payment,
    PaymentImport,
    Prepayment,
    SettlementLine,
    SettlementStatement,
    StatementEvent,
)
from settlement.selectors import reconciliation, retained_savings, statements_visible_to
from settlement.services.calendar import add_working_days, is_working_day
from settlement.services.corrections import journal_correction_post
from settlement.services.deadlines import settlements_daily_check
from settlement.services.deductions import hospital_deductions_post
from settlement.services.payments import payment_record, payments_import, read_payment_file
from settlement.services.prepayments import prepayment_create, prepayment_offset_schedule
from settlement.services.review import statement_approve, statements_approve
from settlement.services.statements import (
    statement_claim,
    statement_review,
    statement_update_invoices,
)
from tests.settlement.world import build_world, give_back, month_start, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def statement(world):
    period = month_start(1)
    first = receive(world, packs=7, on=period + timedelta(days=2))
    give_back(first, packs=1, on=period + timedelta(days=5))
    receive(world, packs=1, on=period + timedelta(days=11))
    generate_statements(month=period)
    return SettlementStatement.objects.get(hospital=world.hospital)


def _snapshot(statement):
    statement.refresh_from_db()
    return (
        statement.status,
        statement.amount,
        statement.approved_amount,
        statement.paid_amount,
        list(statement.invoice_numbers),
        statement.version,
        Payment.objects.count(),
        JournalLine.objects.count(),
        StatementEvent.objects.count(),
    )


def _to_approved(world, statement):
    statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="12345678, 87654321")
    statement_review(statement=statement, by=world.hospital_user)
    return statement_approve(statement=statement, by=world.fund_officer)


def test_the_whole_way_with_ledger_balanced(world, statement):
    assert statement.amount == Decimal("35.86")  # 35.86 − 5.12 + 5.12
    claimed = statement_claim(statement=statement, by=world.maker_rep, invoice_numbers=["12345678", "87654321"])
    from django.utils import timezone

    assert claimed.status == "claimed" and claimed.confirm_due_on > timezone.localdate()
    assert claimed.claimed_late == (timezone.localdate() > claimed.claim_due_on)
    confirmed = statement_review(statement=statement, by=world.hospital_user)
    assert confirmed.status == "hospital_confirmed"
    approved = statement_approve(statement=statement, by=world.fund_officer)
    assert approved.approved_amount == Decimal("35.86")
    payment_record(statement=statement, amount="20.00", reference="BANK-0001", by=world.fund_officer)
    statement.refresh_from_db()
    assert statement.status == "partially_paid" and statement.paid_amount == Decimal("20.00")
    payment_record(statement=statement, amount="15.86", reference="BANK-0002", by=world.fund_officer)
    statement.refresh_from_db()
    assert statement.status == "paid" and statement.outstanding_amount == 0
    assert [e.action for e in statement.events.order_by("pk")] == [
        "claimed",
        "confirmed",
        "approved",
        "partially_paid",
        "paid",
    ]
    for entry in JournalEntry.objects.all():
        assert entry.lines.aggregate(t=Sum("amount"))["t"] == 0
    assert JournalLine.objects.aggregate(t=Sum("amount"))["t"] == 0
    report = reconciliation(period=statement.period)
    assert report["differences"] == [] and report["unbalanced_entries"] == []
    assert report["totals"]["ledger_paid"] == Decimal("35.86") == report["totals"]["ledger_approved"]
    balances = {
        (r["account__kind"], r["account__organization__name"]): r["balance"]
        for r in __import__("settlement.selectors", fromlist=["balances"]).balances(world.fund_officer)
    }
    assert balances[("manufacturer", world.maker.name)] == 0
    assert balances[("hospital", world.hospital.name)] == Decimal("35.86")
    assert balances[("fund_bank", None)] == Decimal("-35.86")


def test_claiming_another_manufacturers_receipts_is_not_found(world, statement):
    before = _snapshot(statement)
    with pytest.raises(NotFoundError) as hidden:
        statement_claim(statement=statement, by=world.other_rep, invoice_numbers="12345678")
    assert hidden.value.code == SettlementError.STATEMENT_NOT_FOUND
    assert _snapshot(statement) == before
    assert not statements_visible_to(world.other_rep).filter(pk=statement.pk).exists()


@pytest.mark.parametrize(
    "invoices, code",
    [
        ("", SettlementError.INVOICE_REQUIRED),
        ("12 34", SettlementError.INVOICE_INVALID),
        ("12345678,12345678", SettlementError.INVOICE_DUPLICATE),
    ],
)
def test_claim_needs_valid_invoice_numbers(world, statement, invoices, code):
    before = _snapshot(statement)
    with pytest.raises(ValidationFailed) as refused:
        statement_claim(statement=statement, by=world.maker_rep, invoice_numbers=invoices)
    assert refused.value.code == code and refused.value.field == "invoice_numbers"
    assert _snapshot(statement) == before


def test_a_refusal_is_worded_in_chinese_and_in_english(world, statement):
    with pytest.raises(ValidationFailed) as chinese:
        statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="")
    with translation.override("en"), pytest.raises(ValidationFailed) as english:
        statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="")
    assert (chinese.value.message, english.value.message) == ("请填写发票号", "Enter the invoice number")
    assert chinese.value.code == english.value.code == SettlementError.INVOICE_REQUIRED


def test_approving_before_hospital_confirmation_is_refused(world, statement):
    statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="12345678")
    before = _snapshot(statement)
    with pytest.raises(ConflictError) as refused:
        statement_approve(statement=statement, by=world.fund_officer)
    assert refused.value.code == SettlementError.STATEMENT_NOT_CONFIRMED == "not_confirmed"
    assert refused.value.message == f"结算单 {statement.number} 尚未经医疗机构确认（当前“待医疗机构确认”），不能审核"
    with translation.override("en"), pytest.raises(ConflictError) as in_english:
        statement_approve(statement=statement, by=world.fund_officer)
    assert in_english.value.message.startswith(f"Statement {statement.number} is not confirmed by the institution")
    assert _snapshot(statement) == before


def test_bulk_approval_is_all_or_nothing(world, statement):
    statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="12345678")
    statement_review(statement=statement, by=world.hospital_user)
    other = SettlementStatement.objects.create(
        number="JS-X",
        fund=statement.fund,
        manufacturer=world.maker,
        hospital=world.far_hospital,
        period=statement.period,
        claim_due_on=statement.claim_due_on,
        payment_due_on=statement.payment_due_on,
    )
    before = _snapshot(statement)
    with pytest.raises(ConflictError) as refused:
        statements_approve(statement_ids=[statement.pk, other.pk], by=world.fund_officer)
    assert refused.value.code == SettlementError.STATEMENT_NOT_CONFIRMED and "JS-X" in refused.value.message
    assert _snapshot(statement) == before
    statements_approve(statement_ids=[statement.pk], by=world.fund_officer)
    statement.refresh_from_db()
    assert statement.status == "approved"


def test_paying_more_than_approved_is_refused(world, statement):
    _to_approved(world, statement)
    before = _snapshot(statement)
    with pytest.raises(ValidationFailed) as refused:
        payment_record(statement=statement, amount="35.87", reference="BANK-1", by=world.fund_officer)
    assert refused.value.code == SettlementError.PAYMENT_OVER_APPROVED and refused.value.field == "amount"
    assert _snapshot(statement) == before
    payment_record(statement=statement, amount="30.00", reference="BANK-1", by=world.fund_officer)
    before = _snapshot(statement)
    with pytest.raises(ValidationFailed) as refused:
        payment_record(statement=statement, amount="5.87", reference="BANK-2", by=world.fund_officer)
    assert refused.value.code == SettlementError.PAYMENT_OVER_APPROVED
    assert _snapshot(statement) == before


@pytest.mark.parametrize(
    "amount, code",
    [
        ("-1", SettlementError.AMOUNT_NOT_POSITIVE),
        ("0", SettlementError.AMOUNT_NOT_POSITIVE),
        ("abc", "invalid_number"),
        ("1.234", SettlementError.TOO_MANY_DECIMALS),
    ],
)
def test_payment_amount_must_be_positive_with_two_places(world, statement, amount, code):
    _to_approved(world, statement)
    before = _snapshot(statement)
    with pytest.raises(ValidationFailed) as refused:
        payment_record(statement=statement, amount=amount, reference="BANK-1", by=world.fund_officer)
    assert refused.value.code == code and refused.value.field == "amount"
    assert _snapshot(statement) == before


def test_a_paid_statement_cannot_be_edited(world, statement):
    _to_approved(world, statement)
    payment_record(statement=statement, amount=statement.amount, reference="BANK-1", by=world.fund_officer)
    before = _snapshot(statement)
    for attempt in (
        lambda: statement_update_invoices(statement=statement, by=world.maker_rep, invoice_numbers="99999999"),
        lambda: statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="99999999"),
        lambda: statement_review(statement=statement, by=world.hospital_user),
        lambda: statement_approve(statement=statement, by=world.fund_officer),
        lambda: payment_record(statement=statement, amount="1.00", reference="BANK-9", by=world.fund_officer),
    ):
        with pytest.raises(ConflictError) as refused:
            attempt()
        assert refused.value.code == SettlementError.STATEMENT_PAID == "paid"
    assert _snapshot(statement) == before


def test_disputed_lines_send_the_statement_back_and_can_be_dropped(world, statement):
    statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="12345678")
    line = statement.lines.order_by("received_on").last()
    before = _snapshot(statement)
    with pytest.raises(ValidationFailed) as refused:
        statement_review(statement=statement, by=world.hospital_user, disputes={line.pk: " "})
    assert refused.value.code == SettlementError.DISPUTE_REASON_REQUIRED
    with pytest.raises(ValidationFailed) as refused:
        statement_review(statement=statement, by=world.hospital_user, disputes={999999: "数量不符"})
    assert refused.value.code == SettlementError.LINE_NOT_IN_STATEMENT
    assert _snapshot(statement) == before
    statement_review(statement=statement, by=world.hospital_user, disputes={line.pk: "实收 0 盒"})
    statement.refresh_from_db()
    assert statement.status == "draft" and statement.disputed_amount == line.amount
    statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="12345678", drop_line_ids=[line.pk])
    statement.refresh_from_db()
    assert statement.status == "claimed" and statement.line_count == 1 and statement.amount == Decimal("30.74")
    assert not SettlementLine.objects.filter(pk=line.pk).exists()
    # The dropped receipt goes to a later statement.
    generate_statements(month=statement.period)  # the month's pair exists already: nothing new
    assert SettlementStatement.objects.filter(hospital=world.hospital).count() == 1


def test_a_hospital_that_does_not_confirm_in_five_working_days_is_deemed_to_confirm(world, statement):
    statement_claim(statement=statement, by=world.maker_rep, invoice_numbers="12345678")
    statement.refresh_from_db()
    result = settlements_daily_check(today=statement.confirm_due_on)
    assert result["auto_confirmed"] == 0
    result = settlements_daily_check(today=statement.confirm_due_on + timedelta(days=1))
    statement.refresh_from_db()
    assert result["auto_confirmed"] == 1 and statement.status == "hospital_confirmed" and statement.auto_confirmed


def test_working_days_skip_weekends():
    from datetime import date

    assert add_working_days(date(2026, 11, 20), 5) == date(2026, 11, 27)  # Friday + 5 working days


def test_working_days_follow_chinese_public_holidays_and_adjusted_days(settings):
    from datetime import date

    # National Day 2026: 1–7 October off, Saturday 10 October worked (调休).
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert not is_working_day(date(2026, 10, 5)) and is_working_day(date(2026, 10, 10))
    # A year the installed calendar does not know: Monday to Friday, plus the overrides in the settings.
    assert add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 7)
    settings.SETTLEMENT_HOLIDAYS = ["2030-01-07"]
    settings.SETTLEMENT_WORKDAYS = ["2030-01-05"]
    assert add_working_days(date(2030, 1, 4), 2) == date(2030, 1, 8)


def test_daily_check_flags_overdue_and_due_soon(world, statement):
    due = statement.payment_due_on
    result = settlements_daily_check(today=due - timedelta(days=6))
    statement.refresh_from_db()
    assert not statement.overdue and not statement.due_soon and result["overdue"] == 0
    settlements_daily_check(today=due - timedelta(days=5))
    statement.refresh_from_db()
    assert statement.due_soon and not statement.overdue
    settlements_daily_check(today=due + timedelta(days=1))
    statement.refresh_from_db()
    assert statement.overdue and not statement.due_soon
    assert (
        statement.lines.filter(overdue=True).count()
        == statement.lines.filter(due_on__lt=due + timedelta(days=1)).count()
        >= 1
    )
    _to_approved(world, statement)
    payment_record(statement=statement, amount=statement.amount, reference="BANK-1", by=world.fund_officer)
    settlements_daily_check(today=due + timedelta(days=2))
    statement.refresh_from_db()
    assert not statement.overdue and not statement.lines.filter(overdue=True).exists()


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["结算单号", "支付金额", "支付流水号", "支付日期"])
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


@pytest.mark.parametrize(
    "bad_row, code",
    [
        (["JS-NOPE", "1.00", "B-2", None], SettlementError.STATEMENT_NUMBER_UNKNOWN),
        (["{n}", "5.00", "B-1", None], SettlementError.PAYMENT_ROW_DUPLICATE),
        (["{n}", "-1.00", "B-2", None], SettlementError.AMOUNT_NOT_POSITIVE),
        (["{n}", "十元", "B-2", None], "invalid_number"),
        (["{n}", "30.00", "B-2", None], SettlementError.PAYMENT_OVER_APPROVED),
    ],
)
def test_a_bad_payment_file_records_nothing_and_reports_each_row(world, statement, bad_row, code):
    _to_approved(world, statement)
    rows = [
        [statement.number, "10.00", "B-1", None],
        [c.format(n=statement.number) if isinstance(c, str) else c for c in bad_row],
    ]
    before = _snapshot(statement)
    result = payments_import(rows=read_payment_file(_xlsx(rows)), file_name="bank.xlsx", by=world.fund_officer)
    assert not result.ok and "未入账" in result.error
    assert (
        result.rows[0]["result"] == "ok"
        and result.rows[1]["result"] == "error"
        and result.rows[1]["code"] == code
        and result.rows[1]["message"]
    )
    assert result.rows[1]["row"] == 3
    assert _snapshot(statement) == before and PaymentImport.objects.count() == 0


def test_a_good_payment_file_is_recorded_whole(world, statement):
    _to_approved(world, statement)
    rows = [[statement.number, "10.00", "B-1", "2026-01-05"], [statement.number, "25.86", "B-2", None]]
    result = payments_import(rows=read_payment_file(_xlsx(rows)), file_name="bank.xlsx", by=world.fund_officer)
    assert result.ok and result.total == Decimal("35.86")
    statement.refresh_from_db()
    assert statement.status == "paid" and Payment.objects.filter(payment_import=result.payment_import).count() == 2


def test_a_file_that_is_not_xlsx_is_a_clear_error(world):
    with pytest.raises(ValidationFailed) as refused:
        read_payment_file(io.BytesIO(b"not a workbook"))
    assert refused.value.code == "bad_file" and refused.value.field == "file"


def test_prepayment_and_its_even_offset(world):
    prepayment = prepayment_create(hospital=world.hospital, tender=world.tender, by=world.fund_officer)
    assert prepayment.agreed_amount == Decimal("5123.00") and prepayment.amount == Decimal("1536.90")  # 30 %
    schedule = prepayment_offset_schedule(prepayment)
    assert len(schedule) == 12 and schedule[0][1] == Decimal("128.08") and schedule[-1][1] == Decimal("128.02")
    assert sum(share for _, share in schedule) == prepayment.amount
    with pytest.raises(ConflictError) as refused:
        prepayment_create(hospital=world.hospital, tender=world.tender, by=world.fund_officer)
    assert refused.value.code == SettlementError.PREPAYMENT_EXISTS
    with pytest.raises(ValidationFailed) as refused:
        prepayment_create(hospital=world.far_hospital, tender=world.tender, by=world.fund_officer, rate="0.2")
    assert refused.value.code == SettlementError.PREPAYMENT_RATE_OUT_OF_RANGE and refused.value.field == "rate"
    assert Prepayment.objects.count() == 1


def test_monthly_deduction_takes_the_approved_statements_and_the_prepayment_share(world, statement):
    from django.utils import timezone

    prepayment_create(hospital=world.hospital, tender=world.tender, by=world.fund_officer)
    _to_approved(world, statement)
    month = timezone.localdate().replace(day=1)
    created = hospital_deductions_post(fund=statement.fund, month=month)
    mine = [d for d in created if d.hospital_id == world.hospital.pk][0]
    assert mine.statements_amount == Decimal("35.86")
    assert mine.prepayment_offset in (Decimal("128.08"), Decimal("128.02"))
    assert mine.amount == mine.statements_amount + mine.prepayment_offset
    assert hospital_deductions_post(fund=statement.fund, month=month) == []  # once per hospital and month
    assert HospitalDeduction.objects.filter(hospital=world.hospital).count() == 1
    assert JournalLine.objects.aggregate(t=Sum("amount"))["t"] == 0


def test_ledger_entries_are_never_edited_and_must_balance(world, statement):
    from django.db import DatabaseError, transaction

    from settlement import ledger

    entry = _to_approved(world, statement).journal_entries.get()
    with pytest.raises(ValueError, match="不可修改"):
        entry.memo = "改"
        entry.save()
    with pytest.raises(ValueError, match="不可删除"):
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalLine.objects.filter(entry=entry).update(amount=Decimal("1.00"))
    with pytest.raises(ValidationFailed) as unbalanced:
        ledger.post(
            fund=statement.fund,
            kind="correction",
            entry_date=entry.entry_date,
            memo="x",
            lines=[
                (ledger.bank(statement.fund), Decimal("1.00")),
                (ledger.hospital_account(statement.fund, world.hospital.pk), Decimal("-0.99")),
            ],
        )
    assert unbalanced.value.code == SettlementError.JOURNAL_UNBALANCED and unbalanced.value.field == "lines"
    bank = ledger.bank(statement.fund)
    hosp = ledger.hospital_account(statement.fund, world.hospital.pk)
    correction = journal_correction_post(
        corrects=entry, lines=[(hosp, "-0.50"), (bank, "0.50")], reason="多记", by=world.fund_officer
    )
    assert correction.corrects == entry and JournalLine.objects.aggregate(t=Sum("amount"))["t"] == 0
    assert JournalEntry.objects.count() == 2


def test_retained_savings_per_hospital(world):
    from tests.factories import OffPlatformPurchaseFactory

    cycle = world.tender.cycle_start
    receive(world, packs=100, on=cycle + timedelta(days=20))  # 1000 units at 0.5123
    receive(world, hospital=world.far_hospital, packs=10, on=cycle + timedelta(days=20))  # 100 units
    # The Hohhot hospital bought the generic before the cycle at 0.9 per unit; the Chifeng one did not.
    OffPlatformPurchaseFactory(
        hospital=world.hospital,
        product=world.listing.product,
        month=(cycle - timedelta(days=40)).replace(day=1),
        quantity=1000,
        amount=Decimal("900.00"),
    )
    rows = {r["hospital"]: r for r in retained_savings(tender=world.tender)}
    mine = rows[world.hospital.name]
    assert mine["lots"][0]["baseline"] == Decimal("0.9000") and mine["savings"] == Decimal(
        "387.70"
    )  # (0.9−0.5123)×1000
    assert mine["retained"] == Decimal("193.85")
    far = rows[world.far_hospital.name]
    assert far["lots"][0]["baseline_source"] == "最高有效申报价" and far["savings"] == Decimal(
        "68.77"
    )  # (1.2−0.5123)×100
