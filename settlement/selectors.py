"""Reads of direct settlement shared by pages, API and exports, scoped to the user: a manufacturer sees its own
statements, a hospital its own, fund officers (and other officials) all of them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.permissions import can, is_official, scope_to_organization
from common import rules
from common.charts import Series, line_chart
from common.money import quantize_amount
from common.templatetags.display import format_money
from procurement.models import GoodsReturnLine, OffPlatformPurchase, ReceiptLine

from . import ledger
from .models import (
    FundAccount,
    HospitalDeduction,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Payment,
    Prepayment,
    SettlementStatement,
)

S = SettlementStatement.Status
ZERO = Decimal("0.00")


def statements_visible_to(user):
    qs = SettlementStatement.objects.select_related("fund", "manufacturer", "hospital")
    if not can(user, "settlement.view"):
        return qs.none()
    return scope_to_organization(qs, user, ("manufacturer", "hospital"))


def statement_lines(statement: SettlementStatement):
    return statement.lines.select_related("product", "receipt_line__receipt", "price_adjustment__statement").order_by(
        "received_on", "pk"
    )


def overdue_statements(user, *, today: date | None = None):
    """Statements unpaid past their deadline, or due within `SETTLEMENT_DUE_SOON_DAYS` (live, not waiting for the
    daily job)."""
    today = today or timezone.localdate()
    return (
        statements_visible_to(user)
        .exclude(status=S.PAID)
        .filter(payment_due_on__lte=today + timedelta(days=rules.settlement().due_soon_days))
        .order_by("payment_due_on", "pk")
    )


def in_month(statements, month: date):
    """The statements whose period starts in the month (the month's statement, or its half months or weeks)."""
    month = month.replace(day=1)
    return statements.filter(period__gte=month, period__lt=(month + timedelta(days=32)).replace(day=1))


def days_to_deadline(statement: SettlementStatement, today: date | None = None) -> int:
    return (statement.payment_due_on - (today or timezone.localdate())).days


def statement_deadlines(statement: SettlementStatement) -> list[dict]:
    """The statement's deadlines in the order they fall — claim, hospital confirmation, payment — each with whether
    its step is done, and flagged when it falls after the payment deadline: the 30 days from acceptance (国办发〔2021〕
    2号) run from the earliest receipt, so a claim or a confirmation due later cannot be waited for (see
    `settlement.cycle` for the cycle's worst case)."""
    done_claim = statement.claimed_at is not None and statement.status != S.DRAFT
    done_confirm = statement.confirmed_at is not None or statement.auto_confirmed
    steps = [
        {"key": "claim", "label": _("申报截止"), "date": statement.claim_due_on, "done": done_claim},
        {"key": "confirm", "label": _("确认截止"), "date": statement.confirm_due_on, "done": done_confirm},
        {
            "key": "payment",
            "label": _("付款期限"),
            "date": statement.payment_due_on,
            "done": statement.status == S.PAID,
        },
    ]
    steps = [step for step in steps if step["date"] is not None]
    for step in steps:
        step["after_payment"] = step["key"] != "payment" and step["date"] > statement.payment_due_on
    return sorted(steps, key=lambda step: (step["date"], step["key"] != "claim"))


def status_counts(user) -> dict[str, int]:
    rows = statements_visible_to(user).values("status").annotate(n=Count("pk")).order_by()
    counts = {s: 0 for s in S.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


# --- balances ------------------------------------------------------------------------------------------------------


def balances(user, *, fund: FundAccount | None = None, kind: str | None = None):
    """Ledger balances per fund, hospital and manufacturer account (sum of lines), scoped to the user."""
    lines = JournalLine.objects.all()
    if not is_official(user):
        org = getattr(user, "organization_id", None)
        lines = lines.filter(account__organization_id=org) if org else lines.none()
    if fund is not None:
        lines = lines.filter(account__fund=fund)
    if kind:
        lines = lines.filter(account__kind=kind)
    rows = (
        lines.values("account_id", "account__fund__name", "account__kind", "account__organization__name")
        .annotate(
            balance=Sum("amount"),
            debit=Sum("amount", filter=Q(amount__gt=0)),
            credit=Sum("amount", filter=Q(amount__lt=0)),
        )
        .order_by("account__fund__name", "account__kind", "account__organization__name")
    )
    kinds = dict(LedgerAccount.Kind.choices)  # the account type in words (`kind_display`), for pages and exports
    return [
        {
            **r,
            **{k: quantize_amount(r[k] or 0) for k in ("balance", "debit", "credit")},
            "kind_display": str(kinds.get(r["account__kind"], r["account__kind"])),
        }
        for r in rows
    ]


def hospital_position(hospital_id: int) -> dict:
    """A hospital's prepayments, their recovery so far, and its ledger balance (what it owes the fund)."""
    prepayments = list(Prepayment.objects.filter(hospital_id=hospital_id).select_related("tender", "fund"))
    balance = (
        JournalLine.objects.filter(
            account__kind=LedgerAccount.Kind.HOSPITAL, account__organization_id=hospital_id
        ).aggregate(t=Sum("amount"))["t"]
        or ZERO
    )
    offset = (
        HospitalDeduction.objects.filter(hospital_id=hospital_id).aggregate(t=Sum("prepayment_offset"))["t"] or ZERO
    )
    total = sum((p.amount for p in prepayments), ZERO)
    return {
        "prepayments": prepayments,
        "prepaid_total": total,
        "offset_total": quantize_amount(offset),
        "prepayment_outstanding": quantize_amount(total - offset),
        "balance": quantize_amount(balance),
    }


# --- reconciliation -------------------------------------------------------------------------------------------------


def reconciliation(*, period: date, fund: FundAccount | None = None) -> dict:
    """Per statement of the period: approved amount vs the ledger's approval postings, paid amount vs the recorded
    payments vs the ledger's payment postings; any difference is listed. Also the entries that do not balance."""
    statements = in_month(SettlementStatement.objects.all(), period)
    if fund is not None:
        statements = statements.filter(fund=fund)
    manufacturer = LedgerAccount.Kind.MANUFACTURER
    dec = DecimalField(max_digits=16, decimal_places=2)
    rows = list(
        statements.annotate(
            ledger_approved=Coalesce(
                Sum(
                    "journal_entries__lines__amount",
                    filter=Q(
                        journal_entries__kind__in=[JournalEntry.Kind.APPROVAL, JournalEntry.Kind.CORRECTION],
                        journal_entries__lines__account__kind=manufacturer,
                    ),
                ),
                Value(ZERO),
                output_field=dec,
            ),
            ledger_paid=Coalesce(
                Sum(
                    "journal_entries__lines__amount",
                    filter=Q(
                        journal_entries__kind=JournalEntry.Kind.PAYMENT,
                        journal_entries__lines__account__kind=manufacturer,
                    ),
                ),
                Value(ZERO),
                output_field=dec,
            ),
        )
        .select_related("manufacturer", "hospital")
        .order_by("number")
    )
    paid = {
        r["statement_id"]: r["t"]
        for r in Payment.objects.filter(statement__in=statements)
        .values("statement_id")
        .annotate(t=Sum("amount"))
        .order_by()
    }
    report = []
    totals = {
        "amount": ZERO,
        "approved": ZERO,
        "ledger_approved": ZERO,
        "paid": ZERO,
        "payments": ZERO,
        "ledger_paid": ZERO,
    }
    for s in rows:
        ledger_approved = quantize_amount(-s.ledger_approved)
        ledger_paid = quantize_amount(s.ledger_paid)
        payments = paid.get(s.pk, ZERO)
        expected_approved = s.approved_amount if s.status in (S.APPROVED, S.PARTIALLY_PAID, S.PAID) else ZERO
        differences = []
        if ledger_approved != expected_approved:
            differences.append(f"审核金额 {expected_approved} ≠ 分类账 {ledger_approved}")
        if payments != s.paid_amount:
            differences.append(f"已付金额 {s.paid_amount} ≠ 支付记录 {payments}")
        if ledger_paid != payments:
            differences.append(f"支付记录 {payments} ≠ 分类账 {ledger_paid}")
        report.append(
            {
                "statement": s,
                "amount": s.amount,
                "approved": expected_approved,
                "ledger_approved": ledger_approved,
                "paid": s.paid_amount,
                "payments": payments,
                "ledger_paid": ledger_paid,
                "differences": differences,
            }
        )
        totals["amount"] += s.amount
        totals["approved"] += expected_approved
        totals["ledger_approved"] += ledger_approved
        totals["paid"] += s.paid_amount
        totals["payments"] += payments
        totals["ledger_paid"] += ledger_paid
    unbalanced = list(ledger.unbalanced_entries(fund).values("pk", "total"))
    return {
        "period": period,
        "rows": report,
        "totals": totals,
        "differences": [r for r in report if r["differences"]],
        "unbalanced_entries": unbalanced,
    }


# --- retained savings (结余留用) -----------------------------------------------------------------------------------


def retained_savings(*, tender, fund: FundAccount | None = None, hospital_id: int | None = None) -> list[dict]:
    """Per hospital for one tender's cycle: savings = Σ (baseline − awarded price) × net received units of the awarded
    products, the baseline being the hospital's own average unit price for the lot's generic name over the 12 months
    before the cycle (platform receipts and off-platform purchases), or the lot's max valid price when it bought none.
    The retained share is the fund's configured share."""
    start, end = tender.cycle_start, tender.cycle_end
    receipts = ReceiptLine.objects.filter(award__tender=tender, received_on__gte=start, received_on__lte=end)
    returns = GoodsReturnLine.objects.filter(
        award__tender=tender, receipt_line__received_on__gte=start, receipt_line__received_on__lte=end
    )
    if hospital_id:
        receipts = receipts.filter(hospital_id=hospital_id)
        returns = returns.filter(hospital_id=hospital_id)
    if fund is not None:
        region_q = Q(hospital__region_id=fund.region_id) | Q(hospital__region__parent_id=fund.region_id)
        receipts = receipts.filter(region_q)
        returns = returns.filter(region_q)
    received = {}
    for r in (
        receipts.values(
            "hospital_id",
            "hospital__name",
            "award__lot_id",
            "award__lot__generic_name",
            "award__lot__max_price",
            "award__awarded_price",
        )
        .annotate(units=Sum("accepted_min_units"))
        .order_by()
    ):
        key = (r["hospital_id"], r["award__lot_id"], r["award__awarded_price"])
        received[key] = dict(r)
    for r in (
        returns.values("hospital_id", "award__lot_id", "award__awarded_price")
        .annotate(units=Sum("min_units"))
        .order_by()
    ):
        key = (r["hospital_id"], r["award__lot_id"], r["award__awarded_price"])
        if key in received:
            received[key]["units"] -= r["units"]
    window = start - timedelta(days=365)
    baselines: dict[tuple[int, str], Decimal | None] = {}
    generics = {r["award__lot__generic_name"] for r in received.values()}
    hospitals = {r["hospital_id"] for r in received.values()}
    pre = (
        ReceiptLine.objects.filter(
            hospital_id__in=hospitals,
            product__generic_name__in=generics,
            received_on__gte=window,
            received_on__lt=start,
        )
        .values("hospital_id", "product__generic_name")
        .annotate(amount=Sum("amount"), units=Sum("accepted_min_units"))
        .order_by()
    )
    off = (
        OffPlatformPurchase.objects.filter(
            hospital_id__in=hospitals,
            product__generic_name__in=generics,
            month__gte=window.replace(day=1),
            month__lt=start,
        )
        .values("hospital_id", "product__generic_name")
        .annotate(amount=Sum("amount"), units=Sum("quantity"))
        .order_by()
    )
    sums: dict[tuple[int, str], list[Decimal]] = {}
    for r in list(pre) + list(off):
        key = (r["hospital_id"], r["product__generic_name"])
        acc = sums.setdefault(key, [Decimal("0"), 0])
        acc[0] += r["amount"] or 0
        acc[1] += r["units"] or 0
    for key, (amount, units) in sums.items():
        baselines[key] = (amount / units).quantize(Decimal("0.0001")) if units else None
    funds = {}
    by_hospital: dict[int, dict] = {}
    for (hospital_id, _lot, awarded_price), r in sorted(received.items(), key=lambda kv: kv[0][:2]):
        baseline = baselines.get((hospital_id, r["award__lot__generic_name"]))
        source = "本院集采前采购均价"
        if baseline is None:
            baseline, source = r["award__lot__max_price"], "最高有效申报价"
        savings = quantize_amount((baseline - awarded_price) * r["units"])
        row = by_hospital.setdefault(
            hospital_id, {"hospital_id": hospital_id, "hospital": r["hospital__name"], "lots": [], "savings": ZERO}
        )
        row["lots"].append(
            {
                "generic_name": r["award__lot__generic_name"],
                "units": r["units"],
                "baseline": baseline,
                "baseline_source": source,
                "awarded_price": awarded_price,
                "savings": savings,
            }
        )
        row["savings"] += savings
    for hospital_id, row in by_hospital.items():
        if fund is None:
            org = Organization.objects.select_related("region").get(pk=hospital_id)
            region = org.region.pooling_region
            funds.setdefault(region.pk, FundAccount.objects.filter(region=region).first())
            share = funds[region.pk].retained_share if funds[region.pk] else Decimal("0.5")
        else:
            share = fund.retained_share
        row["share"] = share
        row["retained"] = quantize_amount(row["savings"] * share) if row["savings"] > 0 else ZERO
    return sorted(by_hospital.values(), key=lambda r: r["hospital"])


def statement_totals(qs) -> dict:
    return qs.aggregate(
        count=Count("pk"),
        amount=Coalesce(Sum("amount"), Value(ZERO)),
        approved=Coalesce(Sum("approved_amount"), Value(ZERO)),
        paid=Coalesce(Sum("paid_amount"), Value(ZERO)),
        outstanding=Coalesce(
            Sum(
                Case(
                    When(status__in=[S.APPROVED, S.PARTIALLY_PAID], then=F("approved_amount") - F("paid_amount")),
                    default=Value(ZERO),
                    output_field=DecimalField(max_digits=16, decimal_places=2),
                )
            ),
            Value(ZERO),
        ),
    )


def monthly_chart(qs, *, months: int = 12):
    """Settlement by month (the last `months` periods): settled, approved and paid amounts, one grouped query."""
    rows = list(
        qs.order_by()
        .values("period")
        .annotate(amount=Sum("amount"), approved=Sum("approved_amount"), paid=Sum("paid_amount"))
        .order_by("-period")[:months]
    )
    if not rows:
        return None
    rows.reverse()
    # floats only place the points on the drawing; every figure shown (table, tooltips) is the Decimal, formatted
    lines = [
        Series(_("结算金额"), [float(r["amount"] or 0) for r in rows], dashed=False),
        Series(_("审核金额"), [float(r["approved"] or 0) for r in rows], dashed=True),
        Series(_("已付金额"), [float(r["paid"] or 0) for r in rows]),
    ]
    for line, key in zip(lines, ("amount", "approved", "paid"), strict=True):
        line.formatted = [format_money(r[key] or 0) for r in rows]
    return line_chart(
        title=_("按月结算金额"),
        x_title=_("月份"),
        y_title=_("金额（元）"),
        x_labels=[f"{r['period']:%Y-%m}" for r in rows],
        series=lines,
        value_formatter=lambda v: format_money(v),
    )
