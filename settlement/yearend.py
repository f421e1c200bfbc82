"""年度清算: the year-end settlement of every hospital of a fund, set-based (a few statements, whatever the number of
hospitals), and the rule it follows in plain Python (`share_overspend`, the specification the tests hold it to).

The rule (docs/budgets.md, seed 001 "合理超支分担"):
- over-spend = the year's claims above the year's budget (= what the monthly settlements held);
- within the band (`BUDGET_OVERSPEND_BAND` × budget) the fund bears `BUDGET_OVERSPEND_FUND_SHARE` of it, beyond
  the band the hospital bears all of it (the held claims it bears are never paid);
- the fund pays its share to the hospital, first recovering the shortfall still open after December; what remains
  of the shortfall is carried into January of the next year.
Ledger: one entry per hospital with a fund share: debit its claims expense (the share), credit its account (the
shortfall recovered) and the fund's bank (the rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from psycopg import sql

from common import rules
from common.models import record_event

from .errors import ConflictError, SettlementError
from .models import (
    BudgetAllocation,
    BudgetMonthSettlement,
    BudgetYearSettlement,
    FundAccount,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class YearFigures:
    overspend: Decimal
    fund_share: Decimal
    hospital_share: Decimal
    recovered: Decimal
    shortfall: Decimal


def share_overspend(*, budget: Decimal, held: Decimal, shortfall_in: Decimal, band: Decimal, fund_rate: Decimal):
    """The rule in Python: the specification of `settle_year`'s SQL."""
    within = min(held, (budget * band).quantize(CENT, rounding=ROUND_HALF_UP))
    fund_share = (within * fund_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    recovered = min(shortfall_in, fund_share)
    return YearFigures(
        overspend=held,
        fund_share=fund_share,
        hospital_share=held - fund_share,
        recovered=recovered,
        shortfall=shortfall_in - recovered,
    )


def _t(model) -> sql.Identifier:
    return sql.Identifier(model._meta.db_table)


def _c(model, name: str) -> sql.Identifier:
    return sql.Identifier(model._meta.get_field(name).column)


def year_rows_statement() -> sql.Composed:
    """Per hospital of the fund with a budget or a settled month in the year and not yet settled for it: budget, the
    year's claims, owed and held (the last settled month's cumulative held), the shortfall open after the last month,
    and the fund's share by the rule — into a temporary table `yearend_rows`, with an entry id drawn from the journal
    entry sequence where there is a fund share to pay."""
    ms, ba, ys, je = BudgetMonthSettlement, BudgetAllocation, BudgetYearSettlement, JournalEntry
    return sql.SQL(
        """
        CREATE TEMP TABLE yearend_rows ON COMMIT DROP AS
        WITH months AS (
            SELECT m.{ms_hospital} AS hospital_id, sum(m.{ms_claims}) AS claims, sum(m.{ms_owed}) AS owed,
                   (array_agg(m.{ms_held} ORDER BY m.{ms_month} DESC))[1] AS held,
                   (array_agg(m.{ms_carried} ORDER BY m.{ms_month} DESC))[1] AS shortfall_in
              FROM {ms} m
             WHERE m.{ms_fund} = %(fund)s AND m.{ms_month} >= %(start)s AND m.{ms_month} < %(end)s
             GROUP BY m.{ms_hospital}
        ), hospitals AS (
            SELECT coalesce(b.{ba_hospital}, months.hospital_id) AS hospital_id, coalesce(b.{ba_total}, 0) AS budget,
                   coalesce(months.claims, 0) AS claims, coalesce(months.owed, 0) AS owed,
                   coalesce(months.held, 0) AS held, coalesce(months.shortfall_in, 0) AS shortfall_in
              FROM (SELECT * FROM {ba} WHERE {ba_fund} = %(fund)s AND {ba_year} = %(year)s) b
              FULL JOIN months ON months.hospital_id = b.{ba_hospital}
        ), shared AS (
            SELECT h.*, round(least(h.held, round(h.budget * %(band)s, 2)) * %(fund_rate)s, 2) AS fund_share
              FROM hospitals h
             WHERE NOT EXISTS (SELECT 1 FROM {ys} y WHERE y.{ys_hospital} = h.hospital_id AND y.{ys_year} = %(year)s)
        )
        SELECT s.*, least(s.shortfall_in, s.fund_share) AS recovered,
               CASE WHEN s.fund_share > 0 THEN nextval(pg_get_serial_sequence({je_table}, {je_id})) END AS entry_id
          FROM shared s
        """
    ).format(
        ms=_t(ms),
        ms_hospital=_c(ms, "hospital"),
        ms_claims=_c(ms, "claims"),
        ms_owed=_c(ms, "owed"),
        ms_held=_c(ms, "held"),
        ms_month=_c(ms, "month"),
        ms_carried=_c(ms, "carried_out"),
        ms_fund=_c(ms, "fund"),
        ba=_t(ba),
        ba_hospital=_c(ba, "hospital"),
        ba_total=_c(ba, "total"),
        ba_fund=_c(ba, "fund"),
        ba_year=_c(ba, "year"),
        ys=_t(ys),
        ys_hospital=_c(ys, "hospital"),
        ys_year=_c(ys, "year"),
        je_table=sql.Literal(je._meta.db_table),
        je_id=sql.Literal(je._meta.pk.column),
    )


def accounts_statement() -> sql.Composed:
    """The ledger accounts the entries use (each hospital's account and claims expense), created where missing."""
    la = LedgerAccount
    return sql.SQL(
        """
        INSERT INTO {la} ({fund}, {kind}, {org})
        SELECT %(fund)s, k.kind, r.hospital_id FROM yearend_rows r
         CROSS JOIN (VALUES (%(hospital_kind)s), (%(expense_kind)s)) AS k(kind)
         WHERE r.entry_id IS NOT NULL
        ON CONFLICT DO NOTHING
        """
    ).format(la=_t(la), fund=_c(la, "fund"), kind=_c(la, "kind"), org=_c(la, "organization"))


def entries_statement() -> sql.Composed:
    """One journal entry per hospital with a fund share, under the id drawn for it."""
    je = JournalEntry
    return sql.SQL(
        """
        INSERT INTO {je} ({id}, {fund}, {kind}, {entry_date}, {memo}, {created_by}, {created_at})
        SELECT r.entry_id, %(fund)s, %(kind)s, %(entry_date)s,
               %(year)s || ' 年度清算：超支 ' || r.held || '，基金分担 ' || r.fund_share || '，收回欠款 ' || r.recovered,
               %(by)s, now()
          FROM yearend_rows r WHERE r.entry_id IS NOT NULL
        """
    ).format(
        je=_t(je),
        id=sql.Identifier(je._meta.pk.column),
        fund=_c(je, "fund"),
        kind=_c(je, "kind"),
        entry_date=_c(je, "entry_date"),
        memo=_c(je, "memo"),
        created_by=_c(je, "created_by"),
        created_at=_c(je, "created_at"),
    )


def lines_statement() -> sql.Composed:
    """The entries' lines: claims expense +share, hospital −recovered, bank −(share − recovered); zero lines left
    out (the journal refuses them). Each line finds its account by equality on (fund, kind, organization) — the
    unique index — and the bank line takes the fund's one bank account: no join condition matches a hospital's
    line against every account of its kind."""
    jl, la = JournalLine, LedgerAccount
    return sql.SQL(
        """
        WITH bank AS (
            SELECT {la_id} AS id FROM {la}
             WHERE {la_fund} = %(fund)s AND {la_kind} = %(bank_kind)s AND {la_org} IS NULL
        )
        INSERT INTO {jl} ({entry}, {account}, {amount})
        SELECT r.entry_id, a.{la_id}, r.fund_share
          FROM yearend_rows r
          JOIN {la} a ON a.{la_fund} = %(fund)s AND a.{la_kind} = %(expense_kind)s AND a.{la_org} = r.hospital_id
         WHERE r.entry_id IS NOT NULL
        UNION ALL
        SELECT r.entry_id, a.{la_id}, -r.recovered
          FROM yearend_rows r
          JOIN {la} a ON a.{la_fund} = %(fund)s AND a.{la_kind} = %(hospital_kind)s AND a.{la_org} = r.hospital_id
         WHERE r.entry_id IS NOT NULL AND r.recovered <> 0
        UNION ALL
        SELECT r.entry_id, bank.id, -(r.fund_share - r.recovered)
          FROM yearend_rows r CROSS JOIN bank
         WHERE r.entry_id IS NOT NULL AND r.fund_share <> r.recovered
        """
    ).format(
        jl=_t(jl),
        entry=_c(jl, "entry"),
        account=_c(jl, "account"),
        amount=_c(jl, "amount"),
        la=_t(la),
        la_id=sql.Identifier(la._meta.pk.column),
        la_fund=_c(la, "fund"),
        la_kind=_c(la, "kind"),
        la_org=_c(la, "organization"),
    )


def settlements_statement() -> sql.Composed:
    """The `BudgetYearSettlement` rows, one per hospital, with the rule's figures and the rates used."""
    ys = BudgetYearSettlement
    cols = [
        "fund",
        "hospital",
        "year",
        "budget",
        "claims",
        "owed",
        "held",
        "overspend",
        "fund_share",
        "hospital_share",
        "shortfall",
        "band_rate",
        "fund_rate",
        "journal_entry",
        "created_at",
    ]
    return sql.SQL(
        """
        INSERT INTO {ys} ({cols})
        SELECT %(fund)s, r.hospital_id, %(year)s, r.budget, r.claims, r.owed, r.held, r.held, r.fund_share,
               r.held - r.fund_share, r.shortfall_in - r.recovered, %(band)s, %(fund_rate)s, r.entry_id, now()
          FROM yearend_rows r
        """
    ).format(ys=_t(ys), cols=sql.SQL(", ").join(_c(ys, c) for c in cols))


def bank_statement() -> sql.Composed:
    """The fund's bank account, created if missing."""
    la = LedgerAccount
    return sql.SQL("INSERT INTO {la} ({fund}, {kind}) SELECT %(fund)s, %(bank_kind)s ON CONFLICT DO NOTHING").format(
        la=_t(la), fund=_c(la, "fund"), kind=_c(la, "kind")
    )


@transaction.atomic
def settle_year(*, fund: FundAccount, year: int, by=None) -> int:
    """年度清算 of every hospital of the fund for `year` not yet settled (idempotent: a second run settles only those
    added since). Returns the number of hospitals settled. The year must have ended."""
    today = timezone.localdate()
    if year >= today.year:
        raise ConflictError(
            gettext("%(year)s 年度尚未结束") % {"year": year}, field="year", code=SettlementError.MONTH_NOT_ENDED
        )
    r = rules.budgets()
    kinds = LedgerAccount.Kind
    params = {
        "fund": fund.pk,
        "year": year,
        "start": f"{year}-01-01",
        "end": f"{year + 1}-01-01",
        "band": r.overspend_band,
        "fund_rate": r.overspend_fund_share,
        "kind": JournalEntry.Kind.YEAR_END.value,
        "entry_date": min(today, date(year, 12, 31)),
        "by": getattr(by, "pk", None),
        "hospital_kind": kinds.HOSPITAL.value,
        "expense_kind": kinds.CLAIMS_EXPENSE.value,
        "bank_kind": kinds.FUND_BANK.value,
    }
    with connection.cursor() as cursor:
        # two runs of the same year wait for each other: the second sees the first's rows and settles nobody twice
        cursor.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(_t(BudgetYearSettlement)))
        cursor.execute(year_rows_statement(), params)
        cursor.execute(bank_statement(), params)
        cursor.execute(accounts_statement(), params)
        cursor.execute(entries_statement(), params)
        cursor.execute(lines_statement(), params)
        cursor.execute(settlements_statement(), params)
        settled = cursor.rowcount
        cursor.execute("DROP TABLE yearend_rows")
    record_event(fund, "budget_year_settled", by=by, data={"year": year, "hospitals": settled})
    return settled
