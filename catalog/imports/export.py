"""Export of a catalog search in one of the import layouts, so the file can be edited and imported back.

Rows are read from the database in chunks and written as they come: csv as a stream of lines (UTF-8 with a BOM,
which Excel needs to read Chinese), xlsx through openpyxl's write-only workbook into a temporary file.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator

from ..layouts import Layout
from ..selectors import product_search

CHUNK = 2000


def products_for_export(*, user, layout: Layout, **search):
    """The search result, limited to what the layout can carry (a consumable has no place in the NHSA drug file)."""
    return layout.exportable(product_search(user=user, **search)).select_related("manufacturer", "preparing_hospital")


def layout_rows(queryset, layout: Layout) -> Iterator[list]:
    yield list(layout.headers)
    for product in queryset.iterator(chunk_size=CHUNK):
        yield layout.render(product)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def xlsx_file(rows: Iterable[list], *, sheet_title: str):
    """A write-only workbook in an anonymous temporary file (gone when closed), positioned at its start."""
    # openpyxl loads on first use (about 0.3 s): a process that never writes a workbook does not pay for it
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title)
    for row in rows:
        if any(isinstance(v, str) and v[:1] == "=" for v in row):
            row = [_text_cell(sheet, v, WriteOnlyCell) for v in row]
        sheet.append(row)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def _text_cell(sheet, value, cell_class):
    """Text that starts with = stays text: openpyxl would otherwise store it as a formula."""
    if not (isinstance(value, str) and value[:1] == "="):
        return value
    cell = cell_class(sheet, value=value)
    cell.data_type = "s"
    return cell
