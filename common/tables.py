"""List pages: one mechanism for sorting, pagination and the xlsx export of what the filters selected.

A view describes its columns once; the page and the export use the same description:

    listing = Listing(request, qs, COLUMNS, default_sort="-created_at", export_name="订单")
    if listing.wants_export:
        return listing.export()
    return render(request, "…", {"page": listing.page, "listing": listing})

In the template, `{% load tables %}`, `{% sort_th listing "created_at" %}` for a sortable header (a link that
toggles ascending/descending, `aria-sort` for screen readers), `{% export_link listing %}` for the download,
and `{% include "includes/empty_row.html" %}` for an empty state that says what to do next. Filtering stays in
the view (django-filter `FilterSet`s or the page's own form): `Listing` takes the filtered queryset and keeps
the query string on every link.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.encoding import force_str
from openpyxl import Workbook

EXPORT_MAX_ROWS = 100_000


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    value: Callable[[Any], Any] | str | None = None  # attribute path ("hospital.name") or callable; export only
    sort: str | None = None  # ORM expression to order by; None = not sortable

    def cell(self, row) -> Any:
        if callable(self.value):
            return self.value(row)
        obj = row
        for part in (self.value or self.key).split("."):
            obj = getattr(obj, part, None) if obj is not None else None
            if callable(obj) and part.startswith("get_"):
                obj = obj()
        return obj


def _excel(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (date, Decimal, int, float, bool)):
        return value
    return force_str(value)


def temp_xlsx(workbook):
    """Save to a temporary file (spooled in memory up to 8 MB) and rewind it for the response."""
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the response closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


class Listing:
    def __init__(
        self,
        request,
        queryset: QuerySet,
        columns: list[Column],
        *,
        default_sort: str,
        per_page: int = 30,
        export_name: str = "",
        tiebreak: str = "pk",
        default_order=None,
    ):
        self.request = request
        self.columns = {c.key: c for c in columns}
        self.column_list = columns
        self.export_name = export_name
        requested = request.GET.get("sort", "")
        key = requested.lstrip("-")
        by_column = key in self.columns and bool(self.columns[key].sort)
        if not by_column:
            requested = default_sort
            key = requested.lstrip("-")
        self.sort = requested
        self.descending = requested.startswith("-")
        expression = self.columns[key].sort if key in self.columns else key
        ordering = F(expression).desc(nulls_last=True) if self.descending else F(expression).asc(nulls_last=True)
        self.queryset = queryset.order_by(ordering, f"-{tiebreak}" if self.descending else tiebreak)
        if default_order and not by_column:
            # the page's own order (several keys, e.g. urgent first, or a preset the page offers) until the user
            # picks a column
            self.sort = ""
            self.queryset = queryset.order_by(*default_order)
        self.per_page = per_page
        self._page = None

    # --- page ---------------------------------------------------------------------------------
    @property
    def page(self):
        if self._page is None:
            self._page = Paginator(self.queryset, self.per_page).get_page(self.request.GET.get("page"))
        return self._page

    def query_with(self, **changes) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        for name, value in changes.items():
            if value is None:
                query.pop(name, None)
            else:
                query[name] = value
        return query.urlencode()

    def sort_state(self, key: str) -> str:
        """'ascending', 'descending' or '' for the column's header."""
        if self.sort.lstrip("-") != key:
            return ""
        return "descending" if self.descending else "ascending"

    def sort_query(self, key: str) -> str:
        state = self.sort_state(key)
        return self.query_with(sort=key if state == "descending" else f"-{key}" if state == "ascending" else key)

    # --- export -------------------------------------------------------------------------------
    @property
    def wants_export(self) -> bool:
        return self.request.GET.get("format") == "xlsx"

    def export_query(self) -> str:
        return self.query_with(format="xlsx")

    def export(self) -> FileResponse:
        """The filtered, sorted rows (not just the page) as an .xlsx written row by row."""
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(force_str(self.export_name or "export")[:31])
        sheet.append([force_str(c.label) for c in self.column_list])
        for row in self.queryset[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
            sheet.append([_excel(c.cell(row)) for c in self.column_list])
        handle = temp_xlsx(workbook)
        name = f"{force_str(self.export_name or 'export')}-{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(
            handle,
            as_attachment=True,
            filename=name,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
