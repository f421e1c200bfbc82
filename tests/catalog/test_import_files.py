"""Reading the files themselves: xlsx sheets, formulas, fake workbooks, encodings, header rows."""

import io

import pytest
from openpyxl import Workbook

from catalog.imports.pipeline import import_file
from catalog.imports.report import ImportReport
from catalog.models import Product
from tests.catalog.test_import_nhsa import HEADERS, ROWS, SAMPLE, to_csv


def workbook(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def numeric(row: list[str]) -> list:
    """As Excel stores a typed row: numbers as numbers."""
    out = list(row)
    out[HEADERS.index("最小包装数量")] = int(row[HEADERS.index("最小包装数量")])
    code = row[HEADERS.index("药品本位码")]
    out[HEADERS.index("药品本位码")] = int(code) if code.isdigit() else code
    return out


def run(data: bytes, name: str = "nhsa.xlsx", layout: str = "nhsa"):
    lines = []
    result = import_file(io.BytesIO(data), name=name, layout=layout, report=ImportReport(on_line=lines.append))
    return result, lines


@pytest.mark.django_db
def test_an_xlsx_with_numbers_typed_as_numbers_imports():
    data = workbook({"总表": [HEADERS] + [numeric(r) for r in ROWS]})
    result, lines = run(data)
    assert result.ok, [line.text() for line in lines]
    product = Product.objects.get(nhsa_code=ROWS[0][0])
    assert product.pack_size == 24 and product.standard_code == "86900483000019"
    again, _ = run(data)
    assert again.counts["unchanged"] == 11


@pytest.mark.django_db
def test_the_main_sheet_is_read_when_there_are_several():
    data = workbook({"说明": [["本表为示例"]], "总表": [HEADERS] + ROWS, "附表": [["x"]]})
    result, _ = run(data)
    assert result.ok and result.counts["new"] == 11


@pytest.mark.django_db
def test_several_sheets_without_the_main_sheet_name_the_sheets_found():
    data = workbook({"Sheet1": [HEADERS] + ROWS, "Sheet2": [["x"]]})
    result, _ = run(data)
    assert result.file_error == "工作簿有 2 个工作表（Sheet1、Sheet2），没有名为“总表”的工作表"
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_a_single_sheet_is_read_whatever_its_name():
    result, _ = run(workbook({"Sheet1": [HEADERS] + ROWS}))
    assert result.ok and result.counts["new"] == 11


@pytest.mark.django_db
def test_a_formula_is_refused_naming_its_cell_and_nothing_is_written():
    rows = [list(r) for r in ROWS]
    rows[2][HEADERS.index("最小包装数量")] = "=6*2"
    result, lines = run(workbook({"总表": [HEADERS] + rows}))
    assert not result.ok
    [error] = [line for line in lines if line.status == "error"]
    assert error.row == 4
    assert "单元格 J4（最小包装数量）是公式“=6*2”" in error.detail
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused():
    result, _ = run(SAMPLE.read_bytes(), name="nhsa.xlsx")
    assert result.file_error.startswith("文件扩展名为 .xlsx，但内容不是 Excel 工作簿")
    broken = b"PK\x03\x04" + b"\x00" * 64  # starts like a zip, but is not one
    result, _ = run(broken, name="nhsa.xlsx")
    assert "无法读取 Excel 文件" in result.file_error
    assert Product.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("name, message", [("nhsa.xls", "不支持旧版 .xls"), ("nhsa.pdf", "只支持 .xlsx 和 .csv")])
def test_other_file_types_are_refused(name, message):
    result, _ = run(SAMPLE.read_bytes(), name=name)
    assert message in result.file_error


@pytest.mark.django_db
def test_an_empty_sheet_is_refused():
    result, _ = run(workbook({"总表": []}))
    assert "为空" in result.file_error


@pytest.mark.django_db
def test_a_title_line_above_the_header_keeps_spreadsheet_row_numbers():
    rows = [list(r) for r in ROWS[:3]]
    rows[1][HEADERS.index("最小包装数量")] = "0"
    data = workbook({"总表": [["医保药品分类与代码数据库（2025年）"], HEADERS] + rows})
    result, lines = run(data)
    assert [line.row for line in lines if line.status == "error"] == [4]  # title row 1, header row 2


@pytest.mark.django_db
def test_a_csv_named_csv_that_is_a_workbook_is_refused():
    result, _ = run(workbook({"总表": [HEADERS] + ROWS}), name="nhsa.csv")
    assert "内容是 Excel 工作簿" in result.file_error


@pytest.mark.django_db
def test_a_header_given_twice_is_refused():
    result, _ = run(to_csv(HEADERS + ["规格"], [r + ["x"] for r in ROWS]), name="nhsa.csv")
    assert "表头“规格”出现了两次" in result.file_error
