from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Qualification


@admin.register(Qualification)
class QualificationAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "kind", "number", "product", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["number", "organization__name", "product__generic_name"]
    raw_id_fields = ["organization", "product", "created_by"]
