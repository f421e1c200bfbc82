"""Every bad input the catalog names, through every way in: a clear error, and nothing written.

Files go in three ways — the import itself (``import_file``), the operators' command (``import_catalog``) and the
import page (an import job) — and each bad file is tried through all three. "Nothing written" means: no product
created or changed, no history row, and no manufacturer created (the files name manufacturers the platform does not
know yet, which a good file would create). Single products go in through the services and the API; the same rules
are tried there.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from accounts.models import Organization
from catalog import services
from catalog.imports.jobs import import_job_report_lines
from catalog.imports.pipeline import import_file
from catalog.imports.report import ImportReport
from catalog.models import ImportJob, Product
from common.errors import ValidationFailed
from tests.catalog.test_import_files import workbook as xlsx_bytes
from tests.catalog.test_import_nhsa import HEADERS, ROWS, edited
from tests.catalog.test_import_platform import (
    CONSUMABLE_HEADERS,
    DRUG_HEADERS,
    GOOD_CONSUMABLES,
    GOOD_DRUGS,
)
from tests.catalog.test_search import make
from tests.factories import ManufacturerFactory
from tests.utils import api_as

HELD_CODE = ROWS[0][0]  # held by a product of another manufacturer in every test below
OTHER_MAKER = "另一家制药有限公司"


# --- building files ----------------------------------------------------------------------------------
def csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def nhsa_rows(**changes) -> list[list]:
    """The sample's rows 2–11 (not the held code), the fifth changed: spreadsheet row 6."""
    rows = [list(r) for r in ROWS[1:]]
    rows[4] = edited(rows[4], **changes)
    return rows


def platform_rows(index: int, **changes) -> list[list]:
    rows = [dict(r) for r in GOOD_DRUGS]
    rows[index].update(changes)
    return [[r.get(h, "") for h in DRUG_HEADERS] for r in rows]


def consumable_rows(index: int, **changes) -> list[list]:
    rows = [dict(r) for r in GOOD_CONSUMABLES]
    rows[index].update(changes)
    return [[r.get(h, "") for h in CONSUMABLE_HEADERS] for r in rows]


def without(headers: list[str], rows: list[list], *dropped: str) -> tuple[list[str], list[list]]:
    keep = [i for i, h in enumerate(headers) if h not in dropped]
    return [headers[i] for i in keep], [[r[i] for i in keep] for r in rows]


def sheet(headers: list[str], rows: list[list]) -> list[list]:
    return [headers, *rows]


def typed(rows: list[list]) -> list[list]:
    """As Excel stores a typed row: pack sizes as numbers."""
    index = HEADERS.index("最小包装数量")
    return [[int(v) if i == index and str(v).isdigit() else v for i, v in enumerate(r)] for r in rows]


# Each case: id, layout, file name, file content, the row it is on (None: the whole file), words of the message.
PACK = "最小包装数量"
CLASS = "2025版甲乙类"
FILES = [
    # wrong code shape / wrong prefix for the category
    (
        "code-shape",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(HEADERS, nhsa_rows(药品代码="XA01ABD075A00201")),
        6,
        "药品代码：化学药品：西药代码应为 23 位，当前为 16 位",
    ),
    (
        "code-not-a-drug-prefix",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(HEADERS, nhsa_rows(药品代码="C1404010000000100345")),
        6,
        "应以 X（西药）、Z（中成药）或 T（中药饮片）开头",
    ),
    (
        "code-prefix-for-category",
        "platform",
        "f.csv",
        lambda: csv_bytes(DRUG_HEADERS, platform_rows(1, 医保代码="ZA04BAL0012010102299")),
        3,
        "医保代码：蒙药饮片的医保代码应以 T 或 NMY 开头，实际为 Z",
    ),
    (
        "consumable-with-drug-code",
        "consumables",
        "f.csv",
        lambda: csv_bytes(CONSUMABLE_HEADERS, consumable_rows(1, 医保代码="XA01ABD075A002010100483")),
        3,
        "医保代码：医用耗材的医保代码应以 C 开头，实际为 X",
    ),
    # duplicate code: twice in the file, or held by another product
    (
        "code-twice-in-file",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(HEADERS, nhsa_rows(药品代码=ROWS[2][0])),
        6,
        f"药品代码：医保代码 {ROWS[2][0]} 与第 3 行重复",
    ),
    (
        "code-held-by-another-product",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(HEADERS, nhsa_rows(药品代码=HELD_CODE)),
        6,
        f"医保代码 {HELD_CODE} 已是“{OTHER_MAKER}”的产品",
    ),
    # pack size
    (
        "pack-size-zero",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(HEADERS, nhsa_rows(最小包装数量="0")),
        6,
        "最小包装数量：最小包装数量应大于 0，实际为 0",
    ),
    (
        "pack-size-negative",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(HEADERS, nhsa_rows(最小包装数量="-12")),
        6,
        "最小包装数量应大于 0，实际为 -12",
    ),
    (
        "pack-size-fraction",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(HEADERS, nhsa_rows(最小包装数量="2.5")),
        6,
        "最小包装数量应为正整数，实际为“2.5”",
    ),
    (
        "pack-size-fraction-in-xlsx",
        "nhsa",
        "f.xlsx",
        lambda: xlsx_bytes({"总表": [HEADERS] + typed(nhsa_rows(最小包装数量=12.5))}),
        6,
        "最小包装数量应为正整数，实际为 12.5",
    ),
    (
        "pack-size-consumable",
        "consumables",
        "f.csv",
        lambda: csv_bytes(CONSUMABLE_HEADERS, consumable_rows(0, 最小包装数量="-1")),
        2,
        "最小包装数量应大于 0",
    ),
    # 甲乙类
    (
        "unknown-insurance-class",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(HEADERS, nhsa_rows(**{CLASS: "丙丁"})),
        6,
        "2025版甲乙类：医保类别“丙丁”无效，应为 甲、乙 或 无",
    ),
    (
        "unknown-insurance-class-platform",
        "platform",
        "f.csv",
        lambda: csv_bytes(DRUG_HEADERS, platform_rows(3, 医保类别="C")),
        5,
        "医保类别：医保类别“C”无效",
    ),
    # Mongolian names
    (
        "mongolian-name-with-latin",
        "platform",
        "f.csv",
        lambda: csv_bytes(DRUG_HEADERS, platform_rows(0, 蒙古文名称="ᠵᠠᠭᠠᠨ Zhachong")),
        2,
        "蒙古文名称：蒙古文名称第 7 位包含拉丁字母“Z”",
    ),
    (
        "mongolian-name-with-cyrillic",
        "platform",
        "f.csv",
        lambda: csv_bytes(DRUG_HEADERS, platform_rows(1, 蒙古文名称="ᠠᠷᠤᠷᠠ Арура")),
        3,
        "蒙古文名称：蒙古文名称第 7 位包含西里尔字母“А”",
    ),
    # 乙 for a Mongolian medicine
    (
        "class-b-mongolian-patent",
        "platform",
        "f.csv",
        lambda: csv_bytes(DRUG_HEADERS, platform_rows(0, 医保类别="乙")),
        2,
        "医保类别：蒙成药、蒙药饮片和蒙药医院制剂按甲类管理，不能为乙类",
    ),
    (
        "class-b-mongolian-pieces",
        "platform",
        "f.csv",
        lambda: csv_bytes(DRUG_HEADERS, platform_rows(1, 医保类别="乙类")),
        3,
        "按甲类管理，不能为乙类",
    ),
    (
        "class-b-mongolian-preparation",
        "platform",
        "f.csv",
        lambda: csv_bytes(DRUG_HEADERS, platform_rows(2, 医保类别="乙")),
        4,
        "按甲类管理，不能为乙类",
    ),
    # missing required headers
    (
        "missing-header-nhsa",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(*without(HEADERS, nhsa_rows(), "最小包装数量", "生产企业")),
        None,
        "缺少必需的列：最小包装数量、生产企业",
    ),
    (
        "missing-header-year-of-class",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(*without(HEADERS, nhsa_rows(), CLASS)),
        None,
        "缺少必需的列：2025版甲乙类",
    ),
    (
        "missing-header-platform",
        "platform",
        "f.csv",
        lambda: csv_bytes(*without(DRUG_HEADERS, platform_rows(0), "类别")),
        None,
        "缺少必需的列：类别",
    ),
    (
        "missing-header-consumables",
        "consumables",
        "f.xlsx",
        lambda: xlsx_bytes({"耗材": sheet(*without(CONSUMABLE_HEADERS, consumable_rows(0), "最小包装单位"))}),
        None,
        "缺少必需的列：最小包装单位",
    ),
    # empty files
    ("empty-csv", "nhsa", "f.csv", lambda: b"", None, "文件为空"),
    ("blank-csv", "nhsa", "f.csv", lambda: b"\r\n \r\n", None, "文件为空"),
    ("header-only-csv", "nhsa", "f.csv", lambda: csv_bytes(HEADERS, []), None, "文件没有数据行（只有表头）"),
    ("empty-xlsx-file", "nhsa", "f.xlsx", lambda: b"", None, "文件为空"),
    ("empty-sheet", "nhsa", "f.xlsx", lambda: xlsx_bytes({"总表": []}), None, "工作表“总表”为空"),
    ("header-only-sheet", "nhsa", "f.xlsx", lambda: xlsx_bytes({"总表": [HEADERS]}), None, "文件没有数据行"),
    # not a workbook although named .xlsx
    (
        "csv-named-xlsx",
        "nhsa",
        "f.xlsx",
        lambda: csv_bytes(HEADERS, nhsa_rows()),
        None,
        "文件扩展名为 .xlsx，但内容不是 Excel 工作簿",
    ),
    (
        "pdf-named-xlsx",
        "nhsa",
        "f.xlsx",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        None,
        "文件扩展名为 .xlsx，但内容不是 Excel 工作簿",
    ),
    ("zip-named-xlsx", "nhsa", "f.xlsx", lambda: _plain_zip(), None, "无法读取 Excel 文件，请确认是 .xlsx 工作簿"),
    # formulas, several sheets without 总表
    (
        "formula-in-a-cell",
        "nhsa",
        "f.xlsx",
        lambda: xlsx_bytes({"总表": [HEADERS] + typed(nhsa_rows(最小包装数量="=6*2"))}),
        6,
        "单元格 J6（最小包装数量）是公式“=6*2”",
    ),
    (
        "formula-in-a-text-cell",
        "nhsa",
        "f.xlsx",
        lambda: xlsx_bytes({"总表": [HEADERS] + typed(nhsa_rows(生产企业='=CONCAT("某","药业")'))}),
        6,
        "单元格 O6（生产企业）是公式",
    ),
    (
        "formula-in-the-header",
        "nhsa",
        "f.xlsx",
        lambda: xlsx_bytes({"总表": [HEADERS[:-1] + ['="曾用"&"码"']] + typed(nhsa_rows())}),
        None,
        "表头单元格 Z1 是公式",
    ),
    (
        "several-sheets-without-main",
        "nhsa",
        "f.xlsx",
        lambda: xlsx_bytes({"Sheet1": [HEADERS] + typed(nhsa_rows()), "Sheet2": [["说明"]]}),
        None,
        "工作簿有 2 个工作表（Sheet1、Sheet2），没有名为“总表”的工作表",
    ),
    (
        "several-sheets-without-platform-sheet",
        "platform",
        "f.xlsx",
        lambda: xlsx_bytes({"总表": [DRUG_HEADERS] + platform_rows(0), "说明": [["x"]]}),
        None,
        "没有名为“药品”的工作表",
    ),
    # text in numeric columns
    (
        "text-pack-size",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(HEADERS, nhsa_rows(最小包装数量="二十四")),
        6,
        "最小包装数量应为正整数，实际为“二十四”",
    ),
    (
        "text-pack-size-with-unit-xlsx",
        "nhsa",
        "f.xlsx",
        lambda: xlsx_bytes({"总表": [HEADERS] + typed(nhsa_rows(最小包装数量="24片"))}),
        6,
        "最小包装数量应为正整数，实际为“24片”",
    ),
    (
        "text-standard-code",
        "nhsa",
        "f.csv",
        lambda: csv_bytes(HEADERS, nhsa_rows(药品本位码="86900594OOO342")),
        6,
        "药品本位码：药品本位码应全部为数字",
    ),
    (
        "text-pack-size-platform",
        "platform",
        "f.csv",
        lambda: csv_bytes(DRUG_HEADERS, platform_rows(3, 最小包装数量="一千")),
        5,
        "最小包装数量应为正整数，实际为“一千”",
    ),
]


def _plain_zip() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return out.getvalue()


# --- the three ways in ----------------------------------------------------------------------------------------
def through_import(tmp_path, admin, layout, name, data):
    lines = []
    result = import_file(io.BytesIO(data), name=name, layout=layout, report=ImportReport(on_line=lines.append))
    assert not result.ok and not result.written
    return [(line.row, line.detail) for line in lines if line.status == "error"]


def through_command(tmp_path, admin, layout, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_catalog", str(path), "--layout", layout, stdout=out, stderr=err)
    assert exit_info.value.code == 1
    assert "文件无法导入" in err.getvalue() or "未导入任何数据" in err.getvalue()
    errors = []
    for text in out.getvalue().splitlines():  # the per-row report
        if text.startswith("第 ") and " 错误：" in text:
            errors.append((int(text.split()[1]), text.split(" 错误：", 1)[1]))
        elif text.startswith("文件 错误："):
            errors.append((None, text.removeprefix("文件 错误：")))
    return errors


def through_page(tmp_path, admin, layout, name, data):
    client = Client()
    client.force_login(admin)
    response = client.post("/catalog/imports/new/", {"file": SimpleUploadedFile(name, data), "layout": layout})
    if response.status_code == 200:  # refused by the upload form itself (an empty file): no job at all
        assert not ImportJob.objects.exists()
        return [(None, " ".join(response.context["form"].errors["file"]))]
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED, job.message
    errors = [(line.row, line.detail) for line in import_job_report_lines(job, status="error")]
    if not errors:  # refused before a report was started: the job's message says why
        assert job.message.startswith("文件无法导入："), job.message
        errors.append((None, job.message.removeprefix("文件无法导入：")))
    return errors


WAYS = {"import": through_import, "command": through_command, "page": through_page}


def written():
    """Everything a file could write: products (every field), their history, manufacturers and theirs."""
    return (
        list(Product.objects.order_by("pk").values()),
        Product.history.count(),
        sorted(Organization.objects.values_list("name", "kind")),
        Organization.history.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("case, layout, name, build, row, message", [pytest.param(*c, id=c[0]) for c in FILES])
def test_a_bad_file_is_refused_with_a_clear_error_and_nothing_is_written(
    catalog, platform_admin, tmp_path, way, case, layout, name, build, row, message
):
    before = written()
    errors = WAYS[way](tmp_path, platform_admin, layout, name, build())
    assert [r for r, _ in errors] == [row], errors  # exactly one error: the bad row, or the file
    assert message in errors[0][1], errors
    assert written() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case, layout, name, build, row, message", [pytest.param(*c, id=c[0]) for c in FILES if c[4] is not None]
)
def test_without_the_bad_row_the_same_file_imports(catalog, case, layout, name, build, row, message):
    """The cases above fail because of the one bad input, not because of something else in the file."""
    data = build()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data))
        sheet = workbook.worksheets[0]
        sheet.delete_rows(row)
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()
    else:
        lines = data.decode("utf-8").splitlines(keepends=True)
        del lines[row - 1]
        data = "".join(lines).encode("utf-8")
    result = import_file(io.BytesIO(data), name=name, layout=layout, report=ImportReport())
    assert result.ok, result.summary()


# --- one product: services and API --------------------------------------------------------------------
@pytest.fixture
def products(db):
    mongolian_maker = ManufacturerFactory(name="内蒙古蒙药股份有限公司")
    return {
        "drug": make("复方丹参片", "ZA04BAL0145010102390", category="chinese_patent"),
        "mongolian": make("扎冲十三味丸", "ZA04BAL0012010102286", category="mongolian_patent", maker=mongolian_maker),
        "held": make("地喹氯铵含片", HELD_CODE, maker=ManufacturerFactory(name=OTHER_MAKER)),
    }


# field, value, target product, message words (the service's domain error)
SERVICE_CASES = [
    ("code-shape", "nhsa_code", "ZA04BAL0145", "drug", "中成药：中成药代码应为 20 位，当前为 11 位"),
    (
        "code-prefix-for-category",
        "nhsa_code",
        "XA01ABD075A002010100999",
        "drug",
        "中成药的医保代码应以 Z 开头，实际为 X",
    ),
    ("code-held-by-another-product", "nhsa_code", "ZA04BAL0012010102286", "drug", "已被产品“扎冲十三味丸”使用"),
    ("pack-size-zero", "pack_size", 0, "drug", "最小包装数量应大于 0"),
    ("pack-size-negative", "pack_size", -6, "drug", "最小包装数量应大于 0，实际为 -6"),
    ("pack-size-fraction", "pack_size", 2.5, "drug", "最小包装数量应为正整数，实际为 2.5"),
    ("pack-size-text", "pack_size", "二十四", "drug", "最小包装数量应为正整数，实际为“二十四”"),
    ("pack-size-beyond-column", "pack_size", "99999999999", "drug", "最小包装数量超出允许范围（1 至 2147483647）"),
    ("unknown-insurance-class", "insurance_class", "丁", "drug", "医保类别“丁”无效"),
    ("mongolian-name-with-latin", "name_mn", "ᠵᠠᠭᠠᠨ Zhachong", "mongolian", "拉丁字母"),
    ("mongolian-name-with-cyrillic", "name_mn", "Монгол", "mongolian", "西里尔字母"),
    ("class-b-mongolian", "insurance_class", "B", "mongolian", "按甲类管理，不能为乙类"),
    ("standard-code-text", "standard_code", "8690059400034X", "drug", "药品本位码应全部为数字"),
]
# The code each refusal carries (catalog.errors.CatalogError).
SERVICE_CODES = {
    "code-shape": "invalid_code",
    "code-prefix-for-category": "invalid_code",
    "code-held-by-another-product": "duplicate_code",
    "pack-size-zero": "invalid_pack_size",
    "pack-size-negative": "invalid_pack_size",
    "pack-size-fraction": "invalid_pack_size",
    "pack-size-text": "invalid_pack_size",
    "pack-size-beyond-column": "invalid_pack_size",
    "unknown-insurance-class": "invalid_insurance_class",
    "mongolian-name-with-latin": "invalid_mongolian_name",
    "mongolian-name-with-cyrillic": "invalid_mongolian_name",
    "class-b-mongolian": "invalid_insurance_class",
    "standard-code-text": "invalid_standard_code",
}


def product_state():
    return list(Product.objects.order_by("pk").values()), Product.history.count()


@pytest.mark.django_db
@pytest.mark.parametrize("case, field, value, target, message", [pytest.param(*c, id=c[0]) for c in SERVICE_CASES])
def test_the_update_service_refuses_bad_input_and_changes_nothing(
    products, official, case, field, value, target, message
):
    before = product_state()
    with pytest.raises(ValidationFailed) as error:
        services.product_update(product=products[target], by=official, **{field: value})
    assert (error.value.code, error.value.field) == (SERVICE_CODES[case], field)
    assert message in error.value.message
    assert product_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("case, field, value, target, message", [pytest.param(*c, id=c[0]) for c in SERVICE_CASES])
def test_the_create_service_refuses_bad_input_and_creates_nothing(
    products, official, case, field, value, target, message
):
    source = products[target]
    fields = {
        "category": source.category,
        "nhsa_code": source.nhsa_code[:-5] + "99999",
        "generic_name": "新产品",
        "pack_size": 10,
        "min_unit": "片",
        "pack_unit": "盒",
        "manufacturer_id": source.manufacturer_id,
        "approval_number": source.approval_number,
        field: value,
    }
    before = product_state()
    with pytest.raises(ValidationFailed) as error:
        services.product_create(by=official, **fields)
    assert (error.value.code, error.value.field) == (SERVICE_CODES[case], field)
    assert message in error.value.message
    assert product_state() == before


# API: what the serializer already refuses (not a whole number, not one of the choices) is a 400 naming the field;
# the rest comes from the services, as above.
API_CASES = [
    ("code-shape", {"nhsa_code": "ZA04BAL0145"}, "drug", "nhsa_code", "中成药代码应为 20 位"),
    ("code-prefix-for-category", {"nhsa_code": "XA01ABD075A002010100999"}, "drug", "nhsa_code", "应以 Z 开头"),
    ("code-held-by-another-product", {"nhsa_code": HELD_CODE}, "mongolian", "nhsa_code", "应以 Z 或 NMZ 开头"),
    (
        "code-held-same-category",
        {"nhsa_code": "ZA04BAL0012010102286"},
        "drug",
        "nhsa_code",
        "已被产品“扎冲十三味丸”使用",
    ),
    ("pack-size-zero", {"pack_size": 0}, "drug", "pack_size", "应大于 0"),
    ("pack-size-negative", {"pack_size": -3}, "drug", "pack_size", "应大于 0，实际为 -3"),
    ("pack-size-fraction", {"pack_size": 2.5}, "drug", "pack_size", ""),
    ("pack-size-text", {"pack_size": "二十四"}, "drug", "pack_size", ""),
    ("unknown-insurance-class", {"insurance_class": "丁"}, "drug", "insurance_class", "丁"),
    ("mongolian-name-with-latin", {"name_mn": "ᠵᠠᠭᠠᠨ Zhachong"}, "mongolian", "name_mn", "拉丁字母"),
    ("mongolian-name-with-cyrillic", {"name_mn": "Монгол"}, "mongolian", "name_mn", "西里尔字母"),
    ("class-b-mongolian", {"insurance_class": "B"}, "mongolian", "insurance_class", "不能为乙类"),
]


API_CODES = {
    **SERVICE_CODES,
    "code-held-by-another-product": "invalid_code",  # a Mongolian product: the prefix is checked first
    "code-held-same-category": "duplicate_code",
    "pack-size-fraction": "invalid_number",  # refused by the serializer's number field
    "pack-size-text": "invalid_number",
    "unknown-insurance-class": "invalid_choice",  # the serializer's choice field: 甲, 乙 or none
}


@pytest.mark.django_db
@pytest.mark.parametrize("case, payload, target, field, message", [pytest.param(*c, id=c[0]) for c in API_CASES])
def test_the_api_refuses_bad_input_naming_the_field_and_changes_nothing(
    products, official, case, payload, target, field, message
):
    before = product_state()
    response = api_as(official).patch(f"/api/v1/products/{products[target].pk}/", payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (API_CODES[case], field)
    assert message in body["detail"] and body["detail"]
    assert product_state() == before
