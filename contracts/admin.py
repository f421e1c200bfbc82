"""Admin: contracts, amendments, confirmations and keys, read-only — they change only through the services (and a
fixed contract never changes). History where the model keeps it."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdmin

from .models import ContractAmendment, ContractConfirmation, PurchaseContract, SigningKey


class ReadOnlyHistoryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    pass


@admin.register(PurchaseContract)
class PurchaseContractAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "number",
        "version",
        "kind",
        "status",
        "hospital",
        "manufacturer",
        "distributor",
        "quantity",
        "amount",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["number", "hospital__name", "manufacturer__name"]
    list_select_related = ["hospital", "manufacturer", "distributor"]


@admin.register(ContractAmendment)
class ContractAmendmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ["contract", "new_version", "old_quantity", "new_quantity", "old_unit_price", "new_unit_price"]


@admin.register(ContractConfirmation)
class ContractConfirmationAdmin(ReadOnlyAdmin):
    list_display = ["contract", "party", "organization", "user", "algorithm", "signed_at"]
    list_select_related = ["contract", "organization", "user"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyHistoryAdmin):
    list_display = ["user", "organization", "algorithm", "fingerprint", "registered_at", "revoked_at"]
    search_fields = ["fingerprint", "user__username"]
