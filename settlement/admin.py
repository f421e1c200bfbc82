"""医保直接结算: admin. Statements, payments and the ledger are read-only here — they change only through the
services (the workflow pages and API), so the audit trail and the ledger's balance hold."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdmin

from .models import (
    FundAccount,
    JournalEntry,
    JournalLine,
    Payment,
    Prepayment,
    PriceCorrection,
    SettlementLine,
    SettlementRun,
    SettlementStatement,
)


@admin.register(FundAccount)
class FundAccountAdmin(SimpleHistoryAdmin):
    list_display = ["name", "region", "prepayment_rate", "retained_share", "include_negotiated", "is_active"]


class LineInline(admin.TabularInline):
    model = SettlementLine
    extra = 0
    can_delete = False
    fields = [
        "kind",
        "receipt_line",
        "received_on",
        "min_units",
        "returned_min_units",
        "settled_unit_price",
        "amount",
        "disputed",
        "dispute_reason",
    ]
    readonly_fields = fields


@admin.register(SettlementStatement)
class StatementAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = [
        "number",
        "period",
        "manufacturer",
        "hospital",
        "status",
        "amount",
        "paid_amount",
        "payment_due_on",
        "overdue",
    ]
    list_filter = ["status", "period", "overdue", "fund"]
    search_fields = ["number", "manufacturer__name", "hospital__name"]
    inlines = [LineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["statement", "amount", "reference", "paid_on", "recorded_by"]
    search_fields = ["reference", "statement__number"]


@admin.register(Prepayment)
class PrepaymentAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["hospital", "tender", "agreed_amount", "rate", "amount", "paid_on"]


@admin.register(PriceCorrection)
class PriceCorrectionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["listing", "effective_from", "effective_to", "unit_price", "reason"]


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    extra = 0
    can_delete = False
    readonly_fields = ["account", "amount"]


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "fund", "kind", "entry_date", "memo", "statement", "corrects"]
    list_filter = ["kind", "fund"]
    inlines = [JournalLineInline]


@admin.register(SettlementRun)
class SettlementRunAdmin(ReadOnlyAdmin):
    list_display = ["period", "region", "status", "started_at", "finished_at", "statements_created", "lines_created"]
