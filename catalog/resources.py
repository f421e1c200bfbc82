"""django-import-export resources of the catalog: the three file layouts, for the admin's export.

Each resource is built from its layout in ``catalog.layouts``, so a file exported from the admin has exactly the
columns (and the 无 / 甲 / 是 spellings) the import reads back. The admin does not import through these
resources: import-export's admin import saves row by row in the web request, has its own report and checks, and
would be a second import engine to keep in step; the admin links to the platform's import page instead, which
is all-or-nothing, reports per row and runs large files in the background (see catalog.imports).
"""

from __future__ import annotations

from import_export import fields, resources

from .layouts import LAYOUTS, Layout
from .models import Product


class LayoutResource(resources.ModelResource):
    layout: Layout

    def filter_export(self, queryset, **kwargs):
        return self.layout.exportable(queryset).select_related("manufacturer", "preparing_hospital")


def _resource_for(layout: Layout) -> type[LayoutResource]:
    attrs: dict = {"layout": layout, "__module__": __name__}
    names = []
    for index, column in enumerate(layout.columns):
        name = f"col{index:02d}_{column.field}"
        attrs[name] = fields.Field(
            column_name=column.header,
            readonly=True,
            dehydrate_method=lambda product, column=column: layout.render_cell(column, product),
        )
        names.append(name)
    attrs["Meta"] = type(
        "Meta", (), {"model": Product, "fields": tuple(names), "export_order": tuple(names), "name": layout.label}
    )
    class_name = "".join(part.capitalize() for part in layout.key.split("_")) + "Resource"
    return type(class_name, (LayoutResource,), attrs)


NhsaResource = _resource_for(LAYOUTS["nhsa"])
PlatformResource = _resource_for(LAYOUTS["platform"])
ConsumablesResource = _resource_for(LAYOUTS["consumables"])
RESOURCES = [NhsaResource, PlatformResource, ConsumablesResource]
