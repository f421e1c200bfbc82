"""年度清算 in SQL held to its rule on generated data: many hospitals of one fund settled in one run, each
`BudgetYearSettlement` equal to `share_overspend` of its own figures, each journal entry's lines on that hospital's
own accounts (claims expense, hospital account) and the fund's bank, each entry balanced to the fen."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from settlement import ledger, yearend
from settlement.generation import fund_for_hospital
from settlement.models import (
    BudgetAllocation,
    BudgetMonthSettlement,
    BudgetYearSettlement,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from tests.factories import HospitalFactory

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = timezone.localdate().year - 1
CENT = D("0.01")


def month_row(fund, hospital, month: int, *, claims: Decimal, owed: Decimal, held: Decimal, carried: Decimal):
    """A settled month as `budget_month_settle` leaves it: what was owed withheld, `carried` left open."""
    return BudgetMonthSettlement(
        fund=fund,
        hospital=hospital,
        month=date(YEAR, month, 1),
        claims=claims,
        owed=owed,
        held=held,
        carried_in=0,
        recovered=0,
        deductions=owed + carried,
        withheld=owed,
        carried_out=carried,
        paid=0,
    )


def generated_world(rng: random.Random, n: int):
    """`n` hospitals with a budget and two settled months (November, December) of random claims, held and open
    shortfall; one hospital with months and no budget, one with a budget and no months. Returns the fund and the
    expected figures per hospital: (budget, claims, owed, held, shortfall_in)."""
    first = HospitalFactory()
    hospitals = [first] + [HospitalFactory(region=first.region) for _ in range(n + 1)]
    fund = fund_for_hospital(first)
    ledger.bank(fund)  # the bank exists before: its line is found, not created twice
    expected, months, budgets = {}, [], []
    for i, h in enumerate(hospitals):
        budget = D(rng.randrange(0, 200_000_00)) * CENT if i != n else None
        if i == n + 1:
            expected[h.pk] = (budget, D("0.00"), D("0.00"), D("0.00"), D("0.00"))
        else:
            nov = D(rng.randrange(0, 30_000_00)) * CENT
            dec = D(rng.randrange(0, 30_000_00)) * CENT
            held_nov = D(rng.randrange(0, 10_000_00)) * CENT
            held = D(rng.choice([0, rng.randrange(0, 40_000_00)])) * CENT
            carried = D(rng.choice([0, 0, rng.randrange(1, 5_000_00)])) * CENT
            owed_nov, owed_dec = nov - min(nov, held_nov), max(D(0), dec - held)
            months += [
                month_row(fund, h, 11, claims=nov, owed=owed_nov, held=held_nov, carried=D("0.00")),
                month_row(fund, h, 12, claims=dec, owed=owed_dec, held=held, carried=carried),
            ]
            expected[h.pk] = (budget or D("0.00"), nov + dec, owed_nov + owed_dec, held, carried)
        if budget is not None:
            budgets.append(BudgetAllocation(fund=fund, hospital=h, year=YEAR, total=budget))
    BudgetAllocation.objects.bulk_create(budgets)
    BudgetMonthSettlement.objects.bulk_create(months)
    return fund, expected


def assert_settled_by_the_rule(fund, expected: dict, band: Decimal, rate: Decimal) -> None:
    rows = {y.hospital_id: y for y in BudgetYearSettlement.objects.filter(fund=fund, year=YEAR)}
    assert rows.keys() == expected.keys()
    for hospital_id, (budget, claims, owed, held, shortfall_in) in expected.items():
        y = rows[hospital_id]
        spec = yearend.share_overspend(budget=budget, held=held, shortfall_in=shortfall_in, band=band, fund_rate=rate)
        assert (y.budget, y.claims, y.owed, y.held) == (budget, claims, owed, held), hospital_id
        assert (y.overspend, y.fund_share, y.hospital_share, y.shortfall) == (
            spec.overspend,
            spec.fund_share,
            spec.hospital_share,
            spec.shortfall,
        ), hospital_id
        assert (y.band_rate, y.fund_rate) == (band, rate)
        if not spec.fund_share:
            assert y.journal_entry_id is None
            continue
        # the entry's lines, on this hospital's own accounts and the fund's bank
        lines = {
            (line.account.kind, line.account.organization_id): line.amount
            for line in JournalLine.objects.filter(entry_id=y.journal_entry_id).select_related("account")
        }
        want = {
            (LedgerAccount.Kind.CLAIMS_EXPENSE, hospital_id): spec.fund_share,
            (LedgerAccount.Kind.HOSPITAL, hospital_id): -spec.recovered,
            (LedgerAccount.Kind.FUND_BANK, None): -(spec.fund_share - spec.recovered),
        }
        assert lines == {k: v for k, v in want.items() if v}, hospital_id
        entry = JournalEntry.objects.get(pk=y.journal_entry_id)
        assert (entry.fund_id, entry.kind, entry.entry_date) == (fund.pk, "year_end", date(YEAR, 12, 31))
    assert JournalLine.objects.filter(entry__fund=fund).aggregate(t=Sum("amount"))["t"] in (None, 0)


@pytest.mark.parametrize(
    ("seed", "band", "rate"), [(1, "0.10", "0.50"), (2, "0.20", "1.00"), (3, "0.05", "0.3333")], ids=str
)
def test_year_end_sql_equals_the_rule_on_generated_hospitals(seed, band, rate):
    fund, expected = generated_world(random.Random(seed), 40)
    with override_settings(BUDGET_OVERSPEND_BAND=band, BUDGET_OVERSPEND_FUND_SHARE=rate):
        assert yearend.settle_year(fund=fund, year=YEAR) == len(expected)
    assert_settled_by_the_rule(fund, expected, D(band), D(rate))
    # each hospital has one account of each kind, the fund one bank
    accounts = LedgerAccount.objects.filter(fund=fund)
    assert accounts.filter(kind="fund_bank").count() == 1
    assert accounts.values("kind", "organization").distinct().count() == accounts.count()


def test_a_second_run_settles_only_the_hospitals_added_since():
    fund, expected = generated_world(random.Random(4), 10)
    assert yearend.settle_year(fund=fund, year=YEAR) == len(expected)
    lines = JournalLine.objects.count()
    late = HospitalFactory(region=BudgetAllocation.objects.filter(fund=fund).first().hospital.region)
    BudgetAllocation.objects.create(fund=fund, hospital=late, year=YEAR, total=D("1000.00"))
    BudgetMonthSettlement.objects.bulk_create(
        [month_row(fund, late, 12, claims=D("1100.00"), owed=D("1000.00"), held=D("100.00"), carried=D("0.00"))]
    )
    assert yearend.settle_year(fund=fund, year=YEAR) == 1
    expected[late.pk] = (D("1000.00"), D("1100.00"), D("1000.00"), D("100.00"), D("0.00"))
    assert_settled_by_the_rule(fund, expected, D("0.10"), D("0.50"))
    # band 100, the fund's half 50: expense +50, bank −50
    assert JournalLine.objects.count() == lines + 2
