"""药械目录 in the admin: products (with history and export in the three file layouts) and import jobs.

Edits made here go through the catalog services, so the admin obeys the same rules (codes, names, insurance
class, Mongolian medicines) and leaves the same history as the pages. Imports are done on the import page
(linked from the product list): see catalog.resources for why not through import-export's admin import.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from import_export.admin import ExportMixin
from import_export.forms import ExportForm
from simple_history.admin import SimpleHistoryAdmin

from accounts.permissions import can
from common.errors import PermissionDeniedError

from . import services
from .models import ImportJob, Product
from .resources import RESOURCES
from .rules import clean_product_fields


class ProductAdminForm(forms.ModelForm):
    class Meta:
        model = Product
        # Every field a person may set, in the model's order; the derived ones are shown read-only.
        fields = [f.name for f in Product._meta.fields if f.name in services.EDITABLE_FIELDS]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        data = {k: v for k, v in cleaned.items() if k not in ("manufacturer", "preparing_hospital")}
        data["manufacturer_id"] = getattr(cleaned.get("manufacturer"), "pk", None)
        data["preparing_hospital_id"] = getattr(cleaned.get("preparing_hospital"), "pk", None)
        values, errors = clean_product_fields(data)
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)
        return cleaned


@admin.register(Product)
class ProductAdmin(ExportMixin, SimpleHistoryAdmin):
    form = ProductAdminForm
    resource_classes = RESOURCES
    export_form_class = ExportForm  # a layout is exported whole, or it would not import back
    import_export_change_list_template = "catalog/imports/admin_product_change_list.html"
    list_display = [
        "nhsa_code",
        "generic_name",
        "trade_name",
        "specification",
        "category",
        "manufacturer",
        "insurance_class",
        "high_value",
        "shortage",
        "is_active",
    ]
    list_filter = ["category", "insurance_class", "high_value", "shortage", "is_active"]
    search_fields = ["^nhsa_code", "generic_name", "trade_name", "^name_initials"]
    search_help_text = "医保代码、通用名、商品名或拼音首字母"
    autocomplete_fields = ["manufacturer", "preparing_hospital"]
    list_select_related = ["manufacturer"]
    readonly_fields = ["name_pinyin", "name_initials", "created_at", "updated_at"]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import_catalog": can(request.user, "catalog.import")}
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        try:
            if change:
                saved = services.product_update(product=obj, by=request.user, reason="管理后台修改", **fields)
            else:
                fields = {
                    name: value
                    for name, value in form.cleaned_data.items()
                    if name not in ("name_pinyin", "name_initials")
                }
                saved = services.product_create(by=request.user, **fields)
        except PermissionDeniedError as exc:  # staff without the catalog.manage capability
            raise PermissionDenied(exc.message) from exc
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: a job is the record of what a file did; it is made on the import page."""

    list_display = [
        "id",
        "original_name",
        "layout",
        "dry_run",
        "status",
        "total_rows",
        "error_count",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "layout", "dry_run"]
    search_fields = ["original_name", "message"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
