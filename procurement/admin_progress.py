"""Admin of agreed-volume progress: read-only (the job writes these tables)."""

from django.contrib import admin

from common.admin import ReadOnlyAdmin
from common.models import Notification

from .models import CommitmentProgress, ManufacturerProgress, ProgressRun


@admin.register(CommitmentProgress)
class CommitmentProgressAdmin(ReadOnlyAdmin):
    list_display = [
        "hospital",
        "lot",
        "period_kind",
        "period_start",
        "period_end",
        "agreed_volume",
        "cumulative_units",
        "expected_units",
        "completion_rate",
        "substitution_ratio",
        "status",
    ]
    list_filter = ["period_kind", "status", "tender"]
    search_fields = ["hospital__name", "lot__generic_name"]
    list_select_related = ["hospital", "lot"]


@admin.register(ManufacturerProgress)
class ManufacturerProgressAdmin(ReadOnlyAdmin):
    list_display = [
        "manufacturer",
        "tender",
        "agreed_volume",
        "ordered_units",
        "due_units",
        "shipped_units",
        "received_units",
        "delivery_lag",
    ]
    list_filter = ["delivery_lag", "tender"]
    list_select_related = ["manufacturer", "tender"]


@admin.register(ProgressRun)
class ProgressRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "kind", "hospital", "as_of", "status", "rows", "alerts", "finished_at"]
    list_filter = ["kind", "status"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization", "kind", "level", "title", "read_at"]
    list_filter = ["kind", "level"]
    search_fields = ["organization__name", "title", "topic"]
