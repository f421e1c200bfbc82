"""总额预算: budgets entered and imported (all or nothing), claims imported, the monthly settlement with the shortfall
carried and recovered, the set-based year-end settlement with over-spend sharing — each reconciled in the ledger to
the fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from settlement import ledger, yearend
from settlement.errors import DomainError
from settlement.generation import fund_for_hospital
from settlement.models import (
    BudgetAllocation,
    BudgetMonth,
    BudgetMonthSettlement,
    BudgetYearSettlement,
    HospitalDeduction,
    InsuranceClaim,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from settlement.services import budgets
from tests.factories import AgencyFactory, HospitalFactory, ManufacturerFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = timezone.localdate().year - 1


@pytest.fixture
def officer():
    return UserFactory(organization=AgencyFactory(), roles=["fund_officer"])


def twelve(amount) -> list[str]:
    return [str(amount)] * 12


def deduct(hospital, month: date, amount: str) -> HospitalDeduction:
    """Statements approved for the hospital (hospital debit, manufacturer credit) and the month's deduction as
    `hospital_deductions_post` writes it (bank debit, hospital credit)."""
    fund = fund_for_hospital(hospital)
    maker = ManufacturerFactory()
    ledger.post(
        fund=fund,
        kind=JournalEntry.Kind.APPROVAL,
        entry_date=month,
        memo="审核",
        lines=[
            (ledger.hospital_account(fund, hospital.pk), D(amount)),
            (ledger.manufacturer_account(fund, maker.pk), -D(amount)),
        ],
    )
    entry = ledger.post(
        fund=fund,
        kind=JournalEntry.Kind.DEDUCTION,
        entry_date=month,
        memo="扣减",
        lines=[(ledger.bank(fund), D(amount)), (ledger.hospital_account(fund, hospital.pk), -D(amount))],
    )
    return HospitalDeduction.objects.create(
        fund=fund,
        hospital=hospital,
        month=month,
        statements_amount=D(amount),
        prepayment_offset=0,
        amount=D(amount),
        journal_entry=entry,
    )


def claim_rows(*rows):
    return [{"医疗机构代码": h.uscc, "月份": m, "申报金额": a} for h, m, a in rows]


def assert_ledger_balances():
    assert JournalLine.objects.aggregate(t=Sum("amount"))["t"] in (None, 0)
    for entry in JournalEntry.objects.all():
        assert sum(line.amount for line in entry.lines.all()) == 0


def balance(fund, kind, org=None) -> Decimal:
    acc = LedgerAccount.objects.filter(fund=fund, kind=kind, organization=org).first()
    return ledger.account_balance(acc) if acc else D("0.00")


def test_budget_entered_then_replaced_until_settled(officer):
    hospital = HospitalFactory()
    budget = budgets.budget_set(hospital_id=hospital.pk, year=YEAR, months=twelve("1000.50"), by=officer)
    assert budget.total == D("12006.00") and budget.months.count() == 12
    budget = budgets.budget_set(hospital_id=hospital.pk, year=YEAR, months=twelve("1000"), by=officer)
    assert BudgetAllocation.objects.get().total == D("12000.00")


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"hospital_id": 999999}, "hospital", "hospital_unknown"),
        ({"months": ["100"] * 5 + ["-1"] + ["100"] * 6}, "months.6", "budget_month_negative"),
        ({"months": ["100"] * 11}, "months", "budget_months_required"),
        ({"months": ["100"] * 11 + ["1.234"]}, "months.12", "too_many_decimals"),
        ({"year": "20x6"}, "year", "budget_year_invalid"),
    ],
)
def test_bad_budget_names_the_field_and_writes_nothing(officer, kwargs, field, code):
    hospital = HospitalFactory()
    values = {"hospital_id": hospital.pk, "year": YEAR, "months": twelve("100"), **kwargs}
    with pytest.raises(DomainError) as err:
        budgets.budget_set(by=officer, **values)
    assert err.value.field == field and str(err.value.code) == code
    assert not BudgetAllocation.objects.exists() and not BudgetMonth.objects.exists()


def test_budget_for_a_manufacturer_is_an_unknown_hospital(officer):
    maker = AgencyFactory(name="某医保局")
    with pytest.raises(DomainError) as err:
        budgets.budget_set(hospital_id=maker.pk, year=YEAR, months=twelve("1"), by=officer)
    assert err.value.code == "hospital_unknown"


def test_budget_file_is_all_or_nothing_naming_row_and_field(officer):
    good, other = HospitalFactory(), HospitalFactory()
    months = {f"{m}月": "100" for m in range(1, 13)}
    rows = [
        {"医疗机构代码": good.uscc, "年度": YEAR, **months},
        {"医疗机构代码": "91150100XXXXXXXXXX", "年度": YEAR, **months},
        {"医疗机构代码": other.uscc, "年度": YEAR, **{**months, "3月": "-5"}},
    ]
    with pytest.raises(DomainError) as err:
        budgets.budgets_import(rows=rows, by=officer)
    assert err.value.code == "budget_file_rows_invalid" and err.value.field == "rows.3.医疗机构代码"
    assert "第 4 行 3月" in err.value.message
    assert not BudgetAllocation.objects.exists()
    done = budgets.budgets_import(rows=[rows[0]], by=officer)
    assert done[0].source == "imported" and done[0].total == D("1200.00")


def test_claims_file_refuses_negative_duplicate_and_unknown(officer):
    h = HospitalFactory()
    with pytest.raises(DomainError) as err:
        budgets.claims_import(
            rows=claim_rows((h, f"{YEAR}-01", "-1"), (h, f"{YEAR}-02", "5"), (h, f"{YEAR}-02", "6")),
            file_name="claims.csv",
            by=officer,
        )
    assert err.value.field == "rows.2.申报金额" and "第 4 行 月份" in err.value.message
    assert not InsuranceClaim.objects.exists()
    budgets.claims_import(rows=claim_rows((h, f"{YEAR}-01", "10")), file_name="c.csv", by=officer)
    with pytest.raises(DomainError):
        budgets.claims_import(rows=claim_rows((h, f"{YEAR}-01", "10")), file_name="c.csv", by=officer)
    assert InsuranceClaim.objects.count() == 1


def test_month_figures_carry_and_recover_the_shortfall():
    f = budgets.month_figures(
        claims=D("100"),
        claims_so_far=D("100"),
        budget_so_far=D("1000"),
        owed_before=D("0"),
        carried_in=D("0"),
        deductions=D("150"),
    )
    assert (f.owed, f.withheld, f.paid, f.carried_out) == (D("100"), D("100"), D("0"), D("50"))
    g = budgets.month_figures(
        claims=D("200"),
        claims_so_far=D("300"),
        budget_so_far=D("2000"),
        owed_before=D("100"),
        carried_in=f.carried_out,
        deductions=D("30"),
    )
    assert (g.recovered, g.withheld, g.paid, g.carried_out) == (D("50"), D("30"), D("120"), D("0"))


def test_a_year_settled_month_by_month_then_at_year_end_reconciles_to_the_fen(officer):
    """Budget 1,000/month; claims 1,200/month (over-spend 2,400 = 20 %); January's deductions exceed its claims."""
    h = HospitalFactory()
    fund = fund_for_hospital(h)
    budgets.budget_set(hospital_id=h.pk, year=YEAR, months=twelve("1000"), by=officer)
    budgets.claims_import(
        rows=claim_rows(*[(h, f"{YEAR}-{m:02d}", "1200") for m in range(1, 13)]), file_name="c.csv", by=officer
    )
    deduct(h, date(YEAR, 1, 1), "1500.25")
    deduct(h, date(YEAR, 2, 1), "100")
    for m in range(1, 13):
        budgets.budget_month_settle(fund=fund, month=date(YEAR, m, 1), by=officer)
        budgets.budget_month_settle(fund=fund, month=date(YEAR, m, 1), by=officer)  # idempotent
    jan, feb = BudgetMonthSettlement.objects.filter(hospital=h).order_by("month")[:2]
    assert (jan.owed, jan.withheld, jan.paid, jan.carried_out, jan.held) == (
        D("1000.00"),
        D("1000.00"),
        D("0.00"),
        D("500.25"),
        D("200.00"),
    )
    assert (feb.recovered, feb.withheld, feb.paid, feb.carried_out) == (D("500.25"), D("100.00"), D("399.75"), 0)
    months = BudgetMonthSettlement.objects.filter(hospital=h)
    assert months.aggregate(t=Sum("owed"))["t"] == D("12000.00")
    # the hospital's account: what it owed the fund is back to zero; the bank paid out exactly the cash paid
    paid = months.aggregate(t=Sum("paid"))["t"]
    assert balance(fund, "hospital", h) == 0
    assert balance(fund, "fund_bank") == -paid
    assert balance(fund, "claims_expense", h) == D("12000.00")
    assert yearend.settle_year(fund=fund, year=YEAR, by=officer) == 1
    assert yearend.settle_year(fund=fund, year=YEAR, by=officer) == 0
    year = BudgetYearSettlement.objects.get(hospital=h)
    spec = yearend.share_overspend(
        budget=D("12000"), held=D("2400"), shortfall_in=D("0"), band=D("0.10"), fund_rate=D("0.50")
    )
    # within the 10 % band (1,200) the fund bears half (600); the other 1,800 is the hospital's
    assert (year.overspend, year.fund_share, year.hospital_share) == (D("2400.00"), D("600.00"), D("1800.00"))
    assert (year.fund_share, year.hospital_share) == (spec.fund_share, spec.hospital_share)
    assert balance(fund, "claims_expense", h) == D("12600.00")
    assert balance(fund, "fund_bank") == -(paid + D("600.00"))
    assert_ledger_balances()
    with pytest.raises(DomainError) as err:
        budgets.budget_set(hospital_id=h.pk, year=YEAR, months=twelve("1"), by=officer)
    assert err.value.code == "budget_year_settled"


@override_settings(BUDGET_OVERSPEND_BAND="0.20", BUDGET_OVERSPEND_FUND_SHARE="1.00")
def test_year_end_recovers_an_open_shortfall_and_follows_the_configured_rule(officer):
    h = HospitalFactory()
    fund = fund_for_hospital(h)
    budgets.budget_set(hospital_id=h.pk, year=YEAR, months=["100"] + ["0"] * 11, by=officer)
    budgets.claims_import(rows=claim_rows((h, f"{YEAR}-12", "150")), file_name="c.csv", by=officer)
    deduct(h, date(YEAR, 12, 1), "130")
    budgets.budget_month_settle(fund=fund, month=date(YEAR, 12, 1), by=officer)
    dec = BudgetMonthSettlement.objects.get(hospital=h)
    assert (dec.owed, dec.held, dec.carried_out) == (D("100.00"), D("50.00"), D("30.00"))
    yearend.settle_year(fund=fund, year=YEAR, by=officer)
    year = BudgetYearSettlement.objects.get(hospital=h)
    # band 20 % of 100 = 20, the fund bears all of it; 20 pays the 30 shortfall down to 10, carried into January
    assert (year.fund_share, year.hospital_share, year.shortfall) == (D("20.00"), D("30.00"), D("10.00"))
    assert balance(fund, "hospital", h) == D("10.00")
    assert_ledger_balances()


def test_year_end_before_the_year_ended_is_refused(officer):
    h = HospitalFactory()
    with pytest.raises(DomainError) as err:
        yearend.settle_year(fund=fund_for_hospital(h), year=timezone.localdate().year, by=officer)
    assert err.value.code == "month_not_ended"
    assert not BudgetYearSettlement.objects.exists()
