"""Admin for tenders and listings. Sealed bid prices never appear here before the tender is opened."""

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import LimitedImportForm, ReadOnlyAdmin

from .models import (
    Award,
    Bid,
    Commitment,
    Delivery,
    DeliveryLine,
    DemandReport,
    DistributionAuthorization,
    GoodsReturn,
    GoodsReturnLine,
    Listing,
    ListingApplication,
    Lot,
    OffPlatformImport,
    OffPlatformPurchase,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    Tender,
    TenderEvaluation,
)
from .tender_resources import DemandReportResource


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0
    fields = [
        "number",
        "generic_name",
        "dosage_form_group",
        "reference_specification",
        "max_price",
        "quality_requirement",
    ]


@admin.register(Tender)
class TenderAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "kind", "status", "bid_deadline", "opening_at", "cycle_start", "cycle_end"]
    list_filter = ["status", "level", "kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["status", "opened_at", "awarded_at", "cancel_reason"]
    exclude = ["sealing_key"]
    inlines = [LotInline]

    def has_change_permission(self, request, obj=None):
        # Status changes go through the tender services (with their checks and audit), not the admin form.
        return False


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    """Prices are shown only once the tender has been opened; before that only the sealed digest exists."""

    list_display = ["tender", "lot", "manufacturer", "product", "status", "shown_price", "submitted_at", "seal_hash"]
    list_filter = ["status", "tender"]
    search_fields = ["manufacturer__name", "product__nhsa_code", "seal_hash"]
    exclude = ["sealed_price", "price", "comparison_price"]
    readonly_fields = [
        "tender",
        "lot",
        "manufacturer",
        "product",
        "supply_capacity",
        "status",
        "invalid_reason",
        "replaces",
        "submitted_at",
        "submitted_by",
        "withdrawn_at",
        "seal_hash",
        "shown_price",
    ]

    @admin.display(description="申报单价（开标后可见）")
    def shown_price(self, obj):
        return obj.price if obj.tender.bids_open else "（密封）"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tender", "lot", "manufacturer", "product")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["tender", "lot", "rank", "manufacturer", "product", "awarded_price", "comparison_price"]
    list_filter = ["tender"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["tender", "lot", "hospital", "product", "reported_volume", "agreed_volume", "agreed_amount"]
    list_filter = ["tender"]
    search_fields = ["hospital__name"]
    list_select_related = ["tender", "lot", "hospital", "product"]


@admin.register(DemandReport)
class DemandReportAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Excel/CSV import through the demand-import service (window, all or nothing, per-row report) and export."""

    resource_classes = [DemandReportResource]
    import_form_class = LimitedImportForm
    skip_admin_log = True  # the import service records its own audit event
    list_display = ["tender", "lot", "hospital", "annual_volume", "named_product", "reported_at"]
    list_filter = ["tender"]
    search_fields = ["hospital__name", "hospital__uscc"]
    list_select_related = ["tender", "lot", "hospital", "named_product"]
    readonly_fields = ["tender", "lot", "hospital", "annual_volume", "named_product", "reported_by", "reported_at"]

    def has_add_permission(self, request):
        return False  # demand is reported through the services (window checks), here by import

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_import_permission(self, request):
        return request.user.is_active and request.user.is_staff


@admin.register(TenderEvaluation)
class TenderEvaluationAdmin(admin.ModelAdmin):
    list_display = ["tender", "run_no", "is_current", "run_by", "run_at", "reason"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Listing)
class ListingAdmin(SimpleHistoryAdmin):
    list_display = ["product", "manufacturer", "unit_price", "pack_price", "source", "status", "valid_from", "valid_to"]
    list_filter = ["source", "status"]
    search_fields = ["product__generic_name", "product__nhsa_code", "manufacturer__name"]
    list_select_related = ["product", "manufacturer"]
    readonly_fields = ["status", "status_reason", "unit_price", "pack_price"]

    def has_change_permission(self, request, obj=None):
        # Price and status changes go through procurement.services.listings (history with the reason, orders flagged).
        return False


@admin.register(DistributionAuthorization)
class DistributionAuthorizationAdmin(SimpleHistoryAdmin):
    list_display = ["product", "manufacturer", "distributor", "valid_from", "valid_to", "is_active"]
    list_filter = ["is_active", "regions"]
    search_fields = ["product__generic_name", "product__nhsa_code", "manufacturer__name", "distributor__name"]
    list_select_related = ["product", "manufacturer", "distributor"]
    autocomplete_fields = ["product"]
    filter_horizontal = ["regions"]


@admin.register(ListingApplication)
class ListingApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "product",
        "kind",
        "manufacturer",
        "pack_price",
        "above_ceiling",
        "status",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
    ]
    list_filter = ["status", "kind", "above_ceiling"]
    list_select_related = ["product", "manufacturer", "reviewed_by"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = [
        "line_no",
        "product",
        "packs",
        "pack_size",
        "min_units",
        "unit_price",
        "pack_price",
        "amount",
        "packs_shipped",
        "packs_accepted",
        "packs_rejected",
        "packs_returned",
        "substitution_for",
    ]


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "organization", "reason"]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "hospital",
        "distributor",
        "status",
        "urgent",
        "total_amount",
        "submitted_at",
        "response_overdue",
        "delivery_overdue",
        "listing_flag",
    ]
    list_filter = ["status", "urgent", "response_overdue", "delivery_overdue", "listing_flag"]
    search_fields = ["number", "hospital__name", "distributor__name"]
    list_select_related = ["hospital", "distributor"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, OrderEventInline]


class DeliveryLineInline(ReadOnlyInline):
    model = DeliveryLine
    fields = ["order_line", "packs", "min_units", "batch_number", "production_date", "expiry_date"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["number", "order", "distributor", "hospital", "invoice_number", "shipped_at", "received"]
    list_filter = ["received"]
    search_fields = ["number", "invoice_number", "order__number"]
    list_select_related = ["order", "distributor", "hospital"]
    inlines = [DeliveryLineInline]


class ReceiptLineInline(ReadOnlyInline):
    model = ReceiptLine
    fields = [
        "product",
        "accepted_packs",
        "rejected_packs",
        "reject_reason",
        "accepted_min_units",
        "unit_price",
        "amount",
        "award",
    ]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["delivery", "order", "hospital", "received_at", "received_by", "accepted_amount"]
    search_fields = ["delivery__number", "order__number", "hospital__name"]
    list_select_related = ["delivery", "order", "hospital", "received_by"]
    inlines = [ReceiptLineInline]


class GoodsReturnLineInline(ReadOnlyInline):
    model = GoodsReturnLine
    fields = ["product", "packs", "min_units", "unit_price", "amount", "reason"]


@admin.register(GoodsReturn)
class GoodsReturnAdmin(ReadOnlyAdmin):
    list_display = ["number", "order", "hospital", "distributor", "returned_at", "amount", "reason"]
    search_fields = ["number", "order__number", "hospital__name"]
    list_select_related = ["order", "hospital", "distributor"]
    inlines = [GoodsReturnLineInline]


@admin.register(OffPlatformImport)
class OffPlatformImportAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "hospital", "rows", "created_by", "created_at"]


@admin.register(OffPlatformPurchase)
class OffPlatformPurchaseAdmin(ReadOnlyAdmin):
    list_display = ["hospital", "product", "supply_class", "month", "quantity", "amount", "source", "import_batch"]
    list_filter = ["supply_class", "month"]
    search_fields = ["hospital__name", "product__nhsa_code", "product__generic_name"]
    list_select_related = ["hospital", "product", "import_batch"]


from . import admin_progress  # noqa: E402,F401 - registers the progress tables
