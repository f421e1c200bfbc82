"""Import of the official NHSA drug code workbook (总表 layout): rows, history, all-or-nothing, bad input."""

import csv
import io
from pathlib import Path

import pytest

from accounts.models import Organization
from catalog.imports.pipeline import import_file
from catalog.imports.report import ImportReport
from catalog.models import Product
from tests.factories import HospitalFactory, ManufacturerFactory, ProductFactory

SHARED_SAMPLE = Path("/work/shared/data/nhsa_drugs_sample.csv")
# The same 11 real rows, kept here so the suite runs where the shared data folder is not mounted.
SAMPLE_TEXT = """\
药品代码,数据来源,注册名称,商品名称,注册剂型,剂型,注册规格,规格,包装材质,最小包装数量,最小制剂单位,最小包装单位,药品企业,分包装企业名称,生产企业,批准文号,原批准文号,药品本位码,上市药品持有人,市场状态,医保药品名称,2025版甲乙类,医保剂型,编号,备注,曾用码
XA01ABD075A002010100483,,地喹氯铵含片,无,片剂(口含),片剂(口含),0.25mg,0.25mg,铝塑,24,片,盒,汕头经济特区明治医药有限公司,,汕头经济特区明治医药有限公司,国药准字H20067255,,86900483000019,,,无,无,无,无,无,
XA01ABD075A002010100594,,地喹氯铵含片,无,片剂(含片),含片,(1)0.25mg(2)0.25mg(无糖型),0.25mg,铝塑包装,12,片,盒,珠海同源药业有限公司,,珠海同源药业有限公司,国药准字H44024254,,86900594000342,,,无,无,无,无,无,
XA01ABD075A002010200144,,地喹氯铵含片,无,片剂,片剂,0.25mg,0.25mg,双铝泡罩包装,12,片,盒,华润双鹤药业股份有限公司,,华润双鹤药业股份有限公司,国药准字H11021869,,86900144005704,,,无,无,无,无,无,
XA01ABD075A002010200483,,地喹氯铵含片,无,片剂(口含),片剂(口含),0.25mg,0.25mg,铝塑,12,片,盒,汕头经济特区明治医药有限公司,,汕头经济特区明治医药有限公司,国药准字H20067255,,86900483000019,,,无,无,无,无,无,
XA01ABD075A002010200594,,地喹氯铵含片,无,片剂(含片),含片,(1)0.25mg(2)0.25mg(无糖型),0.25mg,铝塑包装,24,片,盒,珠海同源药业有限公司,,珠海同源药业有限公司,国药准字H44024254,,86900594000342,,,无,无,无,无,无,
XA01ABD075A002010300144,,地喹氯铵含片,无,片剂,片剂,0.25mg,0.25mg,双铝泡罩包装,6,片,盒,华润双鹤药业股份有限公司,,华润双鹤药业股份有限公司,国药准字H11021869,,86900144005704,,,无,无,无,无,无,
XA01ABD075A002010300483,,地喹氯铵含片,无,片剂(口含),片剂(口含),0.25mg,0.25mg,铝塑,6,片,盒,汕头经济特区明治医药有限公司,,汕头经济特区明治医药有限公司,国药准字H20067255,,86900483000019,,,无,无,无,无,无,
XA01ABD075A002010400144,,地喹氯铵含片,无,片剂,片剂,0.25mg,0.25mg,双铝泡罩包装,18,片,盒,华润双鹤药业股份有限公司,,华润双鹤药业股份有限公司,国药准字H11021869,,86900144005704,,,无,无,无,无,无,
XA01ABD075A002020100594,,地喹氯铵含片,无,片剂,片剂(含片),(1)0.25mg(2)0.25mg(无糖型),0.25mg(无糖型),铝塑包装,6,片,盒,珠海同源药业有限公司,,珠海同源药业有限公司,国药准字H44024254,,86900594000335,,,无,无,无,无,无,
XA01ABD075A002020200594,,地喹氯铵含片,无,片剂,片剂(含片),(1)0.25mg(2)0.25mg(无糖型),0.25mg(无糖型),铝塑包装,12,片,盒,珠海同源药业有限公司,,珠海同源药业有限公司,国药准字H44024254,,86900594000335,,,无,无,无,无,无,
XA01ABD075A002020300594,,地喹氯铵含片,无,片剂,片剂(含片),(1)0.25mg(2)0.25mg(无糖型),0.25mg(无糖型),铝塑包装,24,片,盒,珠海同源药业有限公司,,珠海同源药业有限公司,国药准字H44024254,,86900594000335,,,无,无,无,无,无,
"""


class _Sample:
    @staticmethod
    def read_bytes() -> bytes:
        return SHARED_SAMPLE.read_bytes() if SHARED_SAMPLE.exists() else SAMPLE_TEXT.encode("utf-8")


SAMPLE = _Sample()
_rows = list(csv.reader(io.StringIO(SAMPLE.read_bytes().decode("utf-8-sig"))))
HEADERS, ROWS = _rows[0], _rows[1:]


def test_the_kept_copy_is_the_shared_sample():
    if not SHARED_SAMPLE.exists():
        pytest.skip("shared data folder not mounted")
    assert SHARED_SAMPLE.read_text(encoding="utf-8-sig") == SAMPLE_TEXT


COL = {h: i for i, h in enumerate(HEADERS)}


def to_csv(headers, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def edited(row: list[str], **changes) -> list[str]:
    row = list(row)
    for header, value in changes.items():
        row[COL[header]] = value
    return row


def run(data: bytes, *, dry_run=False, name="nhsa.csv", layout="nhsa"):
    lines = []
    report = ImportReport(on_line=lines.append)
    result = import_file(io.BytesIO(data), name=name, layout=layout, dry_run=dry_run, report=report)
    return result, lines


def errors_of(lines):
    return {line.row: line.detail for line in lines if line.status == "error"}


def snapshot():
    return (
        sorted(Product.objects.values_list("nhsa_code", "pack_size", "insurance_class", "trade_name", "updated_at")),
        Product.history.count(),
        Organization.objects.count(),
    )


@pytest.mark.django_db
def test_the_sample_imports_eleven_products_and_creates_three_manufacturers_by_name():
    result, lines = run(SAMPLE.read_bytes())
    assert result.ok and result.written, [line.text() for line in lines]
    assert result.counts == {"new": 11, "changed": 0, "unchanged": 0, "error": 0}
    assert Product.objects.count() == 11
    makers = Organization.objects.filter(kind="manufacturer")
    assert sorted(makers.values_list("name", flat=True)) == [
        "华润双鹤药业股份有限公司",
        "汕头经济特区明治医药有限公司",
        "珠海同源药业有限公司",
    ]
    assert all(m.uscc is None and m.region_id is None for m in makers)  # known by name only, until registered
    product = Product.objects.get(nhsa_code="XA01ABD075A002010100483")
    assert product.category == "chemical"
    assert product.generic_name == "地喹氯铵含片" and product.trade_name == ""  # 商品名称 无: no trade name
    assert product.insurance_class == ""  # 2025版甲乙类 无: not in the insurance catalog
    assert product.insurance_name == "" and product.remarks == ""
    assert product.standard_code == "86900483000019"
    assert product.pack_size == 24 and product.min_unit == "片" and product.pack_unit == "盒"
    assert product.manufacturer.name == "汕头经济特区明治医药有限公司"
    assert product.approval_number == "国药准字H20067255"
    assert product.name_initials and product.history.count() == 1
    assert [line.row for line in lines] == list(range(2, 13))  # header is row 1


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing_and_writes_no_history():
    run(SAMPLE.read_bytes())
    before = snapshot()
    result, lines = run(SAMPLE.read_bytes())
    assert result.ok and result.counts == {"new": 0, "changed": 0, "unchanged": 11, "error": 0}
    assert {line.status for line in lines} == {"unchanged"}
    assert snapshot() == before


@pytest.mark.django_db
def test_a_changed_row_updates_the_product_and_leaves_one_history_row():
    run(SAMPLE.read_bytes())
    rows = [edited(ROWS[0], 最小包装数量="48", **{"2025版甲乙类": "乙"})] + ROWS[1:]
    result, lines = run(to_csv(HEADERS, rows))
    assert result.counts == {"new": 0, "changed": 1, "unchanged": 10, "error": 0}
    changed = next(line for line in lines if line.status == "changed")
    assert changed.row == 2 and "最小包装数量" in changed.detail and "2025版甲乙类" in changed.detail
    product = Product.objects.get(nhsa_code=ROWS[0][0])
    assert product.pack_size == 48 and product.insurance_class == "B"
    history = list(product.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].pack_size == 48 and "目录导入" in history[-1].history_change_reason
    assert Product.history.count() == 12


@pytest.mark.django_db
def test_a_layout_updates_only_its_own_fields():
    run(SAMPLE.read_bytes())
    Product.objects.filter(nhsa_code=ROWS[0][0]).update(shortage=True, name_mn="ᠡᠮ")
    result, _ = run(SAMPLE.read_bytes())
    assert result.counts["unchanged"] == 11
    product = Product.objects.get(nhsa_code=ROWS[0][0])
    assert product.shortage and product.name_mn == "ᠡᠮ"


@pytest.mark.django_db
def test_dry_run_reports_every_row_and_writes_nothing():
    result, lines = run(SAMPLE.read_bytes(), dry_run=True)
    assert result.ok and not result.written
    assert result.counts["new"] == 11 and len(lines) == 11
    assert Product.objects.count() == 0
    assert not Organization.objects.filter(kind="manufacturer").exists()
    assert Product.history.count() == 0


@pytest.mark.django_db
def test_category_comes_from_the_code_prefix_and_the_approval_letter():
    rows = [
        edited(ROWS[0], 药品代码="XL04AAS123B001010100483", 批准文号="国药准字S20150001", 注册名称="重组人干扰素"),
        edited(ROWS[1], 药品代码="ZA04BAL0009010102286", 批准文号="国药准字Z20025555", 注册名称="复方丹参片"),
    ]
    result, lines = run(to_csv(HEADERS, rows))
    assert result.ok, [line.text() for line in lines]
    assert dict(Product.objects.values_list("nhsa_code", "category")) == {
        "XL04AAS123B001010100483": "biological",
        "ZA04BAL0009010102286": "chinese_patent",
    }


@pytest.mark.django_db
def test_a_national_file_keeps_the_platforms_finer_category():
    maker = ManufacturerFactory(name="内蒙古蒙药股份有限公司")
    ProductFactory(
        nhsa_code="ZA04BAL0009010102286",
        category="mongolian_patent",
        insurance_class="A",
        mongolian_medicine=True,
        generic_name="扎冲十三味丸",
        manufacturer=maker,
    )
    row = edited(
        ROWS[0],
        药品代码="ZA04BAL0009010102286",
        批准文号="国药准字Z15020001",
        注册名称="扎冲十三味丸",
        生产企业="内蒙古蒙药股份有限公司",
        **{"2025版甲乙类": "甲"},
    )
    result, lines = run(to_csv(HEADERS, [row]))
    assert result.ok, [line.text() for line in lines]
    assert Product.objects.get(nhsa_code="ZA04BAL0009010102286").category == "mongolian_patent"
    # and a 乙 for that Mongolian medicine is refused: 蒙成药 are managed as 甲类
    before = snapshot()
    result, lines = run(to_csv(HEADERS, [edited(row, **{"2025版甲乙类": "乙"})]))
    assert not result.ok and "按甲类管理" in errors_of(lines)[2]
    assert "2025版甲乙类" in errors_of(lines)[2]
    assert snapshot() == before


BAD_ROWS = [
    pytest.param({"药品代码": "XA01ABD075A00201"}, "药品代码", id="code-too-short"),
    pytest.param(
        {"药品代码": "CA01ABD075A002010100483"}, "应以 X（西药）、Z（中成药）或 T（中药饮片）开头", id="wrong-prefix"
    ),
    pytest.param({"药品代码": ""}, "药品代码不能为空", id="code-empty"),
    pytest.param({"最小包装数量": "0"}, "最小包装数量应大于 0", id="pack-zero"),
    pytest.param({"最小包装数量": "-6"}, "最小包装数量应大于 0", id="pack-negative"),
    pytest.param({"最小包装数量": "2.5"}, "最小包装数量应为正整数", id="pack-fraction"),
    pytest.param({"最小包装数量": "24片"}, "最小包装数量应为正整数，实际为“24片”", id="pack-text"),
    pytest.param({"2025版甲乙类": "丁"}, "医保类别“丁”无效", id="unknown-insurance-class"),
    pytest.param({"注册名称": ""}, "通用名不能为空", id="generic-name-empty"),
    pytest.param({"生产企业": ""}, "生产企业不能为空", id="manufacturer-empty"),
    pytest.param({"药品本位码": "12345"}, "药品本位码", id="standard-code"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("changes, message", BAD_ROWS)
def test_a_bad_row_is_named_with_its_field_and_nothing_is_written(changes, message):
    run(SAMPLE.read_bytes())
    before = snapshot()
    rows = [edited(r, 最小包装数量="36") for r in ROWS]  # every other row would change
    rows[4] = edited(rows[4], **changes)
    result, lines = run(to_csv(HEADERS, rows))
    assert not result.ok and not result.written
    errors = errors_of(lines)
    assert list(errors) == [6]  # the fifth data row is spreadsheet row 6
    assert message in errors[6], errors
    assert result.counts["changed"] == 10  # the good rows are still checked and reported
    assert snapshot() == before


@pytest.mark.django_db
def test_every_error_row_is_reported_not_only_the_first():
    rows = [edited(r, 最小包装数量="0") if i % 2 else r for i, r in enumerate(ROWS)]
    result, lines = run(to_csv(HEADERS, rows))
    assert result.error_count == 5 and sorted(errors_of(lines)) == [3, 5, 7, 9, 11]
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_a_code_twice_in_the_file_is_an_error_on_the_second_row_naming_the_first():
    rows = ROWS[:3] + [edited(ROWS[5], 药品代码=ROWS[1][0])]
    result, lines = run(to_csv(HEADERS, rows))
    assert not result.ok
    assert errors_of(lines) == {5: f"药品代码：医保代码 {ROWS[1][0]} 与第 3 行重复"}
    assert Product.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_code_repeated_in_a_later_batch_names_the_first_row(dry_run):
    rows = ROWS[:7] + [edited(ROWS[8], 药品代码=ROWS[1][0]), edited(ROWS[9], 药品代码=ROWS[6][0])]
    lines = []
    result = import_file(
        io.BytesIO(to_csv(HEADERS, rows)),
        name="x.csv",
        layout="nhsa",
        dry_run=dry_run,
        report=ImportReport(on_line=lines.append),
        batch_size=3,
    )
    assert errors_of(lines) == {
        9: f"药品代码：医保代码 {ROWS[1][0]} 与第 3 行重复",
        10: f"药品代码：医保代码 {ROWS[6][0]} 与第 8 行重复",
    }
    assert not result.written and Product.objects.count() == 0
    again, _ = run(SAMPLE.read_bytes())  # the codes of a finished import are not remembered by the next one
    assert again.ok and again.counts["new"] == 11


@pytest.mark.django_db
def test_a_code_held_by_another_manufacturers_product_is_refused():
    other = ManufacturerFactory(name="另一家制药有限公司")
    ProductFactory(nhsa_code=ROWS[0][0], manufacturer=other)
    before = snapshot()
    result, lines = run(SAMPLE.read_bytes())
    assert not result.ok
    message = errors_of(lines)[2]
    assert "生产企业" in message and "另一家制药有限公司" in message and "汕头经济特区明治医药有限公司" in message
    assert snapshot() == before


@pytest.mark.django_db
def test_a_code_held_by_the_same_manufacturer_is_an_update_of_that_product():
    maker = ManufacturerFactory(name="汕头经济特区明治医药有限公司")
    product = ProductFactory(nhsa_code=ROWS[0][0], manufacturer=maker, pack_size=10)
    result, _ = run(SAMPLE.read_bytes())
    assert result.ok and result.counts["changed"] == 1 and result.counts["new"] == 10
    product.refresh_from_db()
    assert product.pack_size == 24 and product.standard_code == "86900483000019"


@pytest.mark.django_db
def test_a_manufacturer_name_that_belongs_to_a_hospital_is_refused():
    HospitalFactory(name="汕头经济特区明治医药有限公司")
    result, lines = run(SAMPLE.read_bytes())
    assert not result.ok
    assert "是医疗机构，不是生产企业" in errors_of(lines)[2]
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_missing_headers_are_listed():
    headers = [h for h in HEADERS if h not in ("生产企业", "批准文号")]
    rows = [[v for h, v in zip(HEADERS, r, strict=True) if h in headers] for r in ROWS]
    result, lines = run(to_csv(headers, rows))
    assert not result.ok and result.rows == 0
    assert "缺少必需的列：生产企业、批准文号" in result.file_error
    assert Product.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "文件为空"),
        (b"\n\n", "文件为空"),
        ((",".join(HEADERS) + "\n").encode(), "文件没有数据行"),
        ("药品代码,注册名称\n".encode("gbk") + "XA01,地喹氯铵含片\n".encode("gbk"), "UTF-8"),
    ],
    ids=["empty", "blank-lines", "header-only", "not-utf8"],
)
def test_unreadable_files_are_clear_errors(data, message):
    result, _ = run(data)
    assert not result.ok and message in result.file_error
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_a_csv_with_a_byte_order_mark_and_blank_trailing_lines_imports():
    data = "\ufeff".encode() + SAMPLE.read_bytes() + b",,,,\n\n"
    result, _ = run(data)
    assert result.ok and result.counts["new"] == 11


@pytest.mark.django_db
def test_more_error_rows_than_the_cap_are_counted_but_not_all_listed():
    lines = []
    rows = [edited(ROWS[0], 药品代码=f"XA01ABD075A0020101{n:05d}", 最小包装数量="0") for n in range(12)]
    report = ImportReport(on_line=lines.append, error_cap=5)
    result = import_file(io.BytesIO(to_csv(HEADERS, rows)), name="x.csv", layout="nhsa", report=report)
    assert result.error_count == 12
    assert len([line for line in lines if line.row]) == 5
    assert "另有 7 行错误未逐行列出" in lines[-1].detail
