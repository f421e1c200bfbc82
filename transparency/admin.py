from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Appeal, Objection


@admin.register(Objection)
class ObjectionAdmin(SimpleHistoryAdmin):
    list_display = ["id", "subject", "tender", "credit_record", "organization", "status", "filed_at", "answer_due"]
    list_filter = ["subject", "status"]
    readonly_fields = [f.name for f in Objection._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # filed through the service (deadlines, audit, notifications)


@admin.register(Appeal)
class AppealAdmin(SimpleHistoryAdmin):
    list_display = ["id", "objection", "status", "filed_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Appeal._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
