"""Admin of price monitoring. Reference prices are edited here (with history); everything that has a workflow
(alerts, inquiries, credit records, shortage alerts) is read-only here and changed through the services and pages."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdmin

from .models import (
    CreditRating,
    CreditRecord,
    Inquiry,
    Interview,
    PriceAlert,
    PriceObservation,
    PriceScan,
    ReferencePrice,
    ShortageAlert,
    Signal,
)


class ReferencePriceForm(forms.ModelForm):
    class Meta:
        model = ReferencePrice
        fields = ["product", "kind", "unit_price", "valid_from", "valid_to", "source", "selected", "lot_label"]

    def clean(self):
        data = super().clean()
        if data.get("unit_price") is not None and data["unit_price"] <= 0:
            self.add_error("unit_price", _("单价必须大于零"))
        if data.get("valid_to") and data.get("valid_from") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("失效日期不能早于生效日期"))
        return data


@admin.register(ReferencePrice)
class ReferencePriceAdmin(SimpleHistoryAdmin):
    form = ReferencePriceForm
    list_display = ["product", "kind", "unit_price", "valid_from", "valid_to", "selected", "source"]
    list_filter = ["kind", "selected"]
    search_fields = ["product__nhsa_code", "product__generic_name", "source", "lot_label"]
    autocomplete_fields = ["product"]
    date_hierarchy = "valid_from"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": format_html('{} · <a href="{}">{}</a>', "参考价格", "/pricing/imports/", "从 Excel/CSV 导入"),
        }
        return super().changelist_view(request, extra_context)


@admin.register(PriceObservation)
class PriceObservationAdmin(ReadOnlyAdmin):
    list_display = ["product", "hospital", "observed_on", "unit_price", "quantity", "source", "import_batch"]
    list_filter = ["source"]
    search_fields = ["product__nhsa_code", "hospital__name", "import_batch"]
    date_hierarchy = "observed_on"
    list_select_related = ["product", "hospital"]


class SignalInline(admin.TabularInline):
    model = Signal
    extra = 0
    can_delete = False
    fields = ["kind", "month", "informational", "deviation", "strength", "score", "amount_at_stake", "summary"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PriceAlert)
class PriceAlertAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = [
        "pk",
        "kinds",
        "severity",
        "score",
        "status",
        "product",
        "hospital",
        "period_start",
        "amount_at_stake",
        "assignee",
    ]
    list_filter = ["status", "severity"]
    search_fields = ["product__nhsa_code", "product__generic_name", "hospital__name", "summary"]
    list_select_related = ["product", "hospital", "assignee"]
    inlines = [SignalInline]


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["alert", "recipient", "reply_due", "sent_at", "replied_at"]
    search_fields = ["recipient__name", "letter", "reply"]


@admin.register(Interview)
class InterviewAdmin(ReadOnlyAdmin):
    list_display = ["alert", "held_on", "participants", "recorded_by"]


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["organization", "behaviour", "scheme", "level", "amount", "start", "end", "status"]
    list_filter = ["status", "scheme", "level", "behaviour"]
    search_fields = ["organization__name", "evidence"]


@admin.register(CreditRating)
class CreditRatingAdmin(ReadOnlyAdmin):
    list_display = ["organization", "quarter_start", "level", "scheme", "active_records", "computed_at"]
    list_filter = ["quarter_start", "level"]


@admin.register(PriceScan)
class PriceScanAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "full", "status", "observations", "alerts_opened", "alerts_updated", "finished_at"]
    list_filter = ["status", "full"]


@admin.register(ShortageAlert)
class ShortageAlertAdmin(ReadOnlyAdmin):
    list_display = ["product", "reason", "status", "on_shortage_list", "first_detected_on", "last_detected_on"]
    list_filter = ["status", "reason", "on_shortage_list"]
