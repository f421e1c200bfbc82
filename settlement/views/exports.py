"""The settlement reports as a file: an xlsx sheet or a PDF table (`?format=xlsx|pdf`)."""

from __future__ import annotations

import io

from django.http import HttpResponse
from openpyxl import Workbook

from ..pdf import table_pdf


def xlsx(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append([str(v) if v is not None and not isinstance(v, (int, str)) else v for v in row])
    data = io.BytesIO()
    book.save(data)
    response = HttpResponse(
        data.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EXPORT_FORMATS = ("xlsx", "pdf")


def export(fmt: str, name: str, title: str, header: list[str], rows: list[list], facts=()) -> HttpResponse:
    """The report as an xlsx sheet or a PDF table (`?format=xlsx|pdf`)."""
    if fmt == "pdf":
        response = HttpResponse(table_pdf(title, header, rows, facts=facts), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return xlsx(f"{name}.xlsx", header, rows)
