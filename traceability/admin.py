from django.contrib import admin

from .models import ProductIdentifier, TraceFlag


@admin.register(ProductIdentifier)
class ProductIdentifierAdmin(admin.ModelAdmin):
    list_display = ["identifier", "product"]
    search_fields = ["identifier", "product__generic_name"]
    raw_id_fields = ["product"]


@admin.register(TraceFlag)
class TraceFlagAdmin(admin.ModelAdmin):
    list_display = ["raised_at", "kind", "trace_code", "delivery", "hospital"]
    list_filter = ["kind"]
    raw_id_fields = ["trace_code", "delivery", "hospital"]
