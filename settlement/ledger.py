"""The double-entry ledger: posting balanced entries, and balances derived from the lines.

Entries are only ever added. Amounts are Decimal yuan with 2 places; a line's amount is positive for a debit and
negative for a credit, and every entry's lines sum to zero (checked here before writing, and on PostgreSQL again by
a deferred constraint trigger at commit).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext

from common.money import quantize_amount

from .errors import SettlementError, ValidationFailed
from .models import FundAccount, JournalEntry, JournalLine, LedgerAccount

K = LedgerAccount.Kind


def account(fund: FundAccount, kind: str, organization_id: int | None = None) -> LedgerAccount:
    # At most one row (ledger_account_unique): no ordering, so no join to the fund's region and the organisation for it.
    found = LedgerAccount.objects.filter(fund=fund, kind=kind, organization_id=organization_id).order_by("pk").first()
    if found is not None:
        return found
    with transaction.atomic():
        acc, _ = LedgerAccount.objects.get_or_create(fund=fund, kind=kind, organization_id=organization_id)
    return acc


def bank(fund: FundAccount) -> LedgerAccount:
    return account(fund, K.FUND_BANK)


def hospital_account(fund: FundAccount, hospital_id: int) -> LedgerAccount:
    return account(fund, K.HOSPITAL, hospital_id)


def manufacturer_account(fund: FundAccount, manufacturer_id: int) -> LedgerAccount:
    return account(fund, K.MANUFACTURER, manufacturer_id)


def post(
    *,
    fund: FundAccount,
    kind: str,
    entry_date: date,
    memo: str,
    lines: list[tuple[LedgerAccount, Decimal]],
    by=None,
    statement=None,
    corrects: JournalEntry | None = None,
) -> JournalEntry:
    """Write one entry; its lines (account, signed amount) must sum to zero and none may be zero."""
    cleaned: list[tuple[LedgerAccount, Decimal]] = []
    for acc, amount in lines:
        value = quantize_amount(amount)
        if value != Decimal(amount):
            raise ValidationFailed(
                gettext("分录金额 %(amount)s 超过两位小数") % {"amount": amount},
                field="amount",
                code=SettlementError.TOO_MANY_DECIMALS,
            )
        if value == 0:
            continue
        cleaned.append((acc, value))
    if len(cleaned) < 2:
        raise ValidationFailed(
            gettext("记账凭证至少需要两条非零分录"), field="lines", code=SettlementError.JOURNAL_TOO_FEW_LINES
        )
    total = sum((value for _, value in cleaned), Decimal("0"))
    if total != 0:
        raise ValidationFailed(
            gettext("记账凭证借贷不平衡（差额 %(total)s）") % {"total": total},
            field="lines",
            code=SettlementError.JOURNAL_UNBALANCED,
        )
    for acc, _ in cleaned:
        if acc.fund_id != fund.pk:
            raise ValidationFailed(
                gettext("分录科目不属于该基金"), field="lines", code=SettlementError.JOURNAL_ACCOUNT_OTHER_FUND
            )
    entry = JournalEntry.objects.create(
        fund=fund,
        kind=kind,
        entry_date=entry_date,
        memo=memo[:300],
        statement=statement,
        corrects=corrects,
        created_by=by if getattr(by, "pk", None) else None,
    )
    JournalLine.objects.bulk_create([JournalLine(entry=entry, account=acc, amount=value) for acc, value in cleaned])
    return entry


def account_balance(acc: LedgerAccount) -> Decimal:
    return acc.lines.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def unbalanced_entries(fund: FundAccount | None = None):
    """Entries whose lines do not sum to zero (always empty unless the database was tampered with)."""
    entries = JournalEntry.objects.all()
    if fund is not None:
        entries = entries.filter(fund=fund)
    return entries.annotate(total=Sum("lines__amount")).exclude(total=0)
