"""Reading a catalog file row by row: UTF-8 csv (with or without BOM) or xlsx, never the whole file at once.

Problems with the file as a whole (empty, not really an Excel workbook, wrong sheet, missing headers, not
UTF-8) raise ``FileProblem``; a cell that holds a formula is reported on its row, naming the cell.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path

from django.utils.translation import gettext
from openpyxl.utils import get_column_letter

from common.errors import ValidationFailed
from common.uploads import check_upload

from ..layouts import Column, Layout

HEADER_SEARCH_ROWS = 10  # a title line or two above the header is common in published workbooks
CHUNK = 1 << 20


class FileProblem(ValidationFailed):
    """The file cannot be read as this layout at all; nothing is imported."""

    def __init__(self, message: str):
        super().__init__(message, field="file", code="bad_file")


@dataclass
class SourceRow:
    number: int  # the row number a spreadsheet shows (the header is row 1 when it is the first line)
    cells: dict[Column, object]
    problems: list[str] = field(default_factory=list)  # messages that already name cell and header


def _clean_header(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\ufeff", "").replace("\u3000", " ").strip().strip("*＊").strip()
    return " ".join(text.split())


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class TableSource:
    """One sheet (or csv file) bound to a layout: the header row found, the columns matched."""

    kind = ""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.owned = None  # a file this source opened itself and must close
        self.positions: dict[Column, int] = {}
        self.header_row = 1
        self.estimated_rows: int | None = None

    def _bind_headers(self, candidates: list[tuple[int, list]]) -> None:
        """Pick the header row: the first of the top rows naming the layout's first column; else row 1."""
        key = self.layout.columns[0]
        chosen = candidates[0] if candidates else (1, [])
        for number, values in candidates:
            if any(key.matches(_clean_header(v)) for v in values):
                chosen = (number, values)
                break
        self.header_row, values = chosen
        for index, value in enumerate(values):
            if isinstance(value, str) and value.startswith("="):
                raise FileProblem(
                    gettext("表头单元格 %(value)s%(header_row)s 是公式，请改为文本")
                    % {"value": get_column_letter(index + 1), "header_row": self.header_row}
                )
        headers = [_clean_header(v) for v in values]
        if not any(headers):
            raise FileProblem(gettext("文件缺少表头（第 1 行应为列名）"))
        positions, missing = self.layout.match_headers(headers)
        if missing:
            raise FileProblem(
                gettext("缺少必需的列：%(items)s（模板：%(label)s）")
                % {"items": "、".join(missing), "label": self.layout.label}
            )
        seen: dict[Column, int] = {}
        for index, header in enumerate(headers):
            for column in self.layout.columns:
                if column.matches(header):
                    if column in seen:
                        raise FileProblem(
                            gettext("表头“%(header)s”出现了两次（第 %(value)s 列和第 %(value2)s 列）")
                            % {
                                "header": header,
                                "value": get_column_letter(seen[column] + 1),
                                "value2": get_column_letter(index + 1),
                            }
                        )
                    seen[column] = index
                    break
        self.positions = positions
        self._plan = list(positions.items())
        self._columns = tuple(positions)
        self._width = max(positions.values()) + 1 if positions else 0
        indexes = tuple(positions.values())
        self._pick = itemgetter(*indexes) if len(indexes) > 1 else (lambda values: (values[indexes[0]],))

    def _row(self, number: int, values) -> SourceRow | None:
        """Values of one line → a SourceRow, or None for a blank line (spreadsheets often end with some)."""
        width = len(values)
        if self.kind == "csv" and width >= self._width:  # every cell a str, none missing: the usual csv line
            stripped = list(map(str.strip, self._pick(values)))
            if not any(stripped):
                return None
            row = SourceRow(number, dict(zip(self._columns, stripped, strict=True)))
            if "=" in "".join(values):
                self._formulas(row, values)
            return row
        cells = {}
        blank = True
        for column, index in self._plan:
            value = values[index] if index < width else None
            if value.__class__ is str:
                value = value.strip()
                if value:
                    blank = False
            elif value is not None:
                blank = False
            cells[column] = value
        if blank:
            return None
        row = SourceRow(number, cells)
        strings = values if self.kind == "csv" else [v for v in values if v.__class__ is str]
        if "=" in "".join(strings):
            self._formulas(row, values)
        return row

    def _formulas(self, row: SourceRow, values) -> None:
        """Rare (a line holds "="): the cells that start with it."""
        for index, value in enumerate(values):
            if value.__class__ is str and value[:1] == "=":
                row.problems.append(self._formula(row.number, index, value))

    def _formula(self, number: int, index: int, value: str) -> str:
        where = gettext("单元格 %(value)s%(number)s") % {"value": get_column_letter(index + 1), "number": number}
        for column, position in self.positions.items():
            if position == index:
                where += f"（{column.header}）"
        return gettext("%(where)s是公式“%(value)s”，请改为数值或文本后再导入") % {"where": where, "value": value[:40]}

    def rows(self) -> Iterator[SourceRow]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class CsvSource(TableSource):
    kind = "csv"

    def __init__(self, binary, layout: Layout):
        super().__init__(layout)
        self._binary = binary
        self.estimated_rows = self._count_lines()
        self._text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        try:
            self._start()
        except BaseException:
            self._text.detach()  # a wrapper left to the garbage collector would close the caller's file
            raise

    def _start(self) -> None:
        self._reader = csv.reader(self._text)
        self._line = 0
        top = []
        try:
            for _ in range(HEADER_SEARCH_ROWS):
                values = self._next()
                if values is None:
                    break
                top.append((self._line, values))
        except UnicodeDecodeError:
            raise FileProblem(gettext("CSV 文件必须是 UTF-8 编码（可在 Excel 中“另存为 CSV UTF-8”）"))
        if not top or not any(v.strip() for _, values in top for v in values):
            raise FileProblem(gettext("文件为空"))
        self._bind_headers(top)
        self._pending = [(n, v) for n, v in top if n > self.header_row]
        if self.estimated_rows is not None:
            self.estimated_rows = max(0, self.estimated_rows - self.header_row)

    def _count_lines(self) -> int | None:
        if not self._binary.seekable():
            return None
        count = 0
        last = b""
        while chunk := self._binary.read(CHUNK):
            count += chunk.count(b"\n")
            last = chunk
        if last and not last.endswith(b"\n"):
            count += 1
        self._binary.seek(0)
        return count

    def _next(self) -> list[str] | None:
        try:
            values = next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise FileProblem(
                gettext("第 %(value)s 行无法按 CSV 解析：%(exc)s") % {"value": self._line + 1, "exc": exc}
            )
        self._line += 1
        return values

    def rows(self) -> Iterator[SourceRow]:
        for number, values in self._pending:
            row = self._row(number, values)
            if row is not None:
                yield row
        self._pending = []
        make_row = self._row
        try:
            for values in self._reader:  # what _next does, in the loop: once per line
                self._line += 1
                row = make_row(self._line, values)
                if row is not None:
                    yield row
        except UnicodeDecodeError:
            raise FileProblem(
                gettext("CSV 文件必须是 UTF-8 编码：第 %(value)s 行附近无法按 UTF-8 读取") % {"value": self._line + 1}
            )
        except csv.Error as exc:
            raise FileProblem(
                gettext("第 %(value)s 行无法按 CSV 解析：%(exc)s") % {"value": self._line + 1, "exc": exc}
            )

    def close(self) -> None:
        self._text.detach()  # leaves the binary file to whoever opened it
        if self.owned is not None:
            self.owned.close()


class XlsxSource(TableSource):
    kind = "xlsx"

    def __init__(self, binary, layout: Layout):
        from openpyxl import load_workbook  # noqa: PLC0415 - loaded on first use (about 0.3 s)

        super().__init__(layout)
        try:
            # data_only=False: a formula stays a formula (and is rejected) instead of a cached, maybe stale, value.
            self._workbook = load_workbook(binary, read_only=True, data_only=False)
        except Exception as exc:  # noqa: BLE001 - any parser failure on an untrusted file: not a workbook we can read
            reason = gettext("压缩包已损坏") if isinstance(exc, zipfile.BadZipFile) else type(exc).__name__
            raise FileProblem(gettext("无法读取 Excel 文件，请确认是 .xlsx 工作簿（%(reason)s）") % {"reason": reason})
        try:
            self._start()
        except BaseException:
            self._workbook.close()
            raise

    def _start(self) -> None:
        names = self._workbook.sheetnames
        if self.layout.sheet_name in names:
            sheet = self._workbook[self.layout.sheet_name]
        elif len(names) == 1:
            sheet = self._workbook[names[0]]
        else:
            raise FileProblem(
                gettext("工作簿有 %(count)s 个工作表（%(items)s），没有名为“%(sheet_name)s”的工作表")
                % {"count": len(names), "items": "、".join(names), "sheet_name": self.layout.sheet_name}
            )
        self.sheet_title = sheet.title
        dimension_rows = sheet.max_row
        # The stored dimension may be wrong (some tools write A1:A1); read every row there is.
        sheet.reset_dimensions()
        self._rows = sheet.iter_rows()
        top = []
        for number in range(1, HEADER_SEARCH_ROWS + 1):
            cells = next(self._rows, None)
            if cells is None:
                break
            top.append((number, [c.value for c in cells]))
        if not top or all(_blank(v) for _, values in top for v in values):
            raise FileProblem(gettext("工作表“%(title)s”为空") % {"title": sheet.title})
        self._bind_headers(top)
        self._pending = [(n, v) for n, v in top if n > self.header_row]
        self._number = len(top)
        if dimension_rows:
            self.estimated_rows = max(0, dimension_rows - self.header_row)

    def rows(self) -> Iterator[SourceRow]:
        for number, values in self._pending:
            row = self._row(number, values)
            if row is not None:
                yield row
        self._pending = []
        for cells in self._rows:
            self._number += 1
            values = [c.value for c in cells]
            row = self._row(self._number, values)
            if row is None:
                continue
            for cell in cells:
                if cell.data_type == "f" and not any(cell.coordinate in p for p in row.problems):
                    row.problems.append(
                        gettext("单元格 %(coordinate)s是公式，请改为数值或文本后再导入")
                        % {"coordinate": cell.coordinate}
                    )
            yield row

    def close(self) -> None:
        self._workbook.close()
        if self.owned is not None:
            self.owned.close()


def open_table(source, *, name: str, layout: Layout) -> TableSource:
    """Open a csv or xlsx file (a path or a binary file object) as the given layout."""
    owned = None
    if isinstance(source, (str, Path)):
        name = name or str(source)
        binary = owned = open(source, "rb")  # noqa: SIM115 - closed through TableSource.close
    else:
        binary = getattr(source, "file", source)  # Django File → the file object it wraps
    try:
        table = _open(binary, (name or "").lower(), layout)
    except BaseException:
        if owned is not None:
            owned.close()
        raise
    table.owned = owned
    return table


def _open(binary, lower: str, layout: Layout) -> TableSource:
    head = binary.read(8)
    binary.seek(0)
    if not head:
        raise FileProblem(gettext("文件为空"))
    try:
        check_upload(binary, name=lower)
    except ValidationFailed as exc:
        raise FileProblem(exc.message) from None
    if lower.endswith((".xlsx", ".xlsm")):
        if not head.startswith(b"PK"):
            raise FileProblem(gettext("文件扩展名为 .xlsx，但内容不是 Excel 工作簿（可能是改了扩展名的其他文件）"))
        return XlsxSource(binary, layout)
    if lower.endswith(".xls"):
        raise FileProblem(gettext("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV UTF-8"))
    if lower.endswith((".csv", ".txt")):
        if head.startswith(b"PK"):
            raise FileProblem(gettext("文件扩展名为 .csv，但内容是 Excel 工作簿，请使用 .xlsx 扩展名"))
        return CsvSource(binary, layout)
    raise FileProblem(gettext("只支持 .xlsx 和 .csv（UTF-8）文件"))


def estimate_rows(source, *, name: str, layout: Layout) -> int | None:
    """Data rows in the file, without reading it through (for choosing between inline and a background task)."""
    table = open_table(source, name=name, layout=layout)
    try:
        return table.estimated_rows
    finally:
        table.close()


RAMP_FROM = 100  # steps of fewer rows are not split into smaller batches (see batches)


def batches(
    rows: Iterable[SourceRow], size: int, estimated: int | None = None
) -> Iterator[tuple[list[SourceRow], bool]]:
    """The rows ``size`` at a time (a step of the progress bar), each step in one or more batches; with each batch,
    whether it ends its step. The first step is stored in batches of 1/8, 1/8, 1/4 and 1/2 of it, so the storing
    starts before much of the file has been checked; the last one (fewer rows than ``size``, or the end of the file's
    estimated length) in 1/2, 1/4, 1/8 and 1/8, so little is left to store once every row has been checked. Steps of
    fewer than ``RAMP_FROM`` rows are one batch each."""
    iterator = iter(rows)
    taken = 0
    while step := list(islice(iterator, size)):
        count = len(step)
        if size < RAMP_FROM:
            cuts = ()
        elif taken == 0:
            cuts = (count // 8, count // 4, count // 2)
        elif count < size or (estimated is not None and taken + count >= estimated):
            cuts = (count // 2, count * 3 // 4, count * 7 // 8)
        else:
            cuts = ()
        taken += count
        bounds = [0, *(c for c in cuts if 0 < c < count), count]
        pieces = [step[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
        for i, piece in enumerate(pieces):
            yield piece, i == len(pieces) - 1
