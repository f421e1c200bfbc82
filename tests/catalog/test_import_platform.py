"""The platform's two templates: 蒙药/中药饮片/医院制剂 (with the Mongolian name) and 医用耗材."""

import csv
import io

import pytest

from catalog.imports.pipeline import import_file
from catalog.imports.report import ImportReport
from catalog.models import Product
from tests.factories import HospitalFactory, ManufacturerFactory

DRUG_HEADERS = [
    "类别",
    "医保代码",
    "通用名",
    "商品名",
    "蒙古文名称",
    "英文名称",
    "剂型",
    "规格",
    "包装材质",
    "最小包装数量",
    "最小制剂单位",
    "最小包装单位",
    "生产企业",
    "配制医疗机构",
    "批准文号",
    "药品本位码",
    "医保类别",
    "蒙药",
    "短缺药品",
    "一致性评价",
    "备注",
]
MN_NAME = "ᠵᠠᠭᠠᠨ ᠬᠣᠷᠴᠠ ᠭᠣᠷᠪᠠ"
HOSPITAL = "内蒙古国际蒙医医院"


def drug(**values) -> dict:
    row = dict.fromkeys(DRUG_HEADERS, "")
    row.update(
        {
            "最小包装数量": "10",
            "最小制剂单位": "丸",
            "最小包装单位": "盒",
            "生产企业": "内蒙古蒙药股份有限公司",
            "蒙药": "否",
            "短缺药品": "否",
            "一致性评价": "否",
        }
    )
    row.update(values)
    return row


GOOD_DRUGS = [
    drug(
        类别="蒙成药",
        医保代码="ZA04BAL0012010102286",
        通用名="扎冲十三味丸",
        蒙古文名称=MN_NAME,
        英文名称="Zhachong Shisanwei Pills",
        剂型="丸剂",
        规格="每10丸重2g",
        批准文号="国药准字Z15020795",
    ),
    drug(
        类别="蒙药饮片",
        医保代码="NMY150100000002",
        通用名="诃子",
        蒙古文名称="ᠠᠷᠤᠷᠠ",
        最小制剂单位="g",
        最小包装单位="袋",
        最小包装数量="500",
        医保类别="甲",
        短缺药品="是",
    ),
    drug(
        类别="医院制剂",
        医保代码="NMZ150100000003",
        通用名="清热八味散",
        配制医疗机构=HOSPITAL,
        蒙药="是",
        最小制剂单位="袋",
        生产企业="内蒙古国际蒙医医院制剂中心",
        批准文号="蒙药制字M20150012",
    ),
    drug(
        类别="中药饮片",
        医保代码="NMT150100000004",
        通用名="黄芪",
        最小制剂单位="g",
        最小包装单位="袋",
        最小包装数量="1000",
        医保类别="乙",
        一致性评价="否",
    ),
]


def to_csv(headers, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([[row.get(h, "") for h in headers] for row in rows])
    return out.getvalue().encode("utf-8")


def run(data: bytes, layout: str, *, dry_run=False):
    lines = []
    result = import_file(
        io.BytesIO(data), name="t.csv", layout=layout, dry_run=dry_run, report=ImportReport(on_line=lines.append)
    )
    return result, lines


def errors_of(lines):
    return {line.row: line.detail for line in lines if line.status == "error"}


@pytest.fixture
def hospital(db):
    return HospitalFactory(name=HOSPITAL, hospital_type="mongolian")


@pytest.mark.django_db
def test_the_platform_drug_template_imports_mongolian_medicines_pieces_and_preparations(hospital):
    result, lines = run(to_csv(DRUG_HEADERS, GOOD_DRUGS), "platform")
    assert result.ok, [line.text() for line in lines]
    products = {p.nhsa_code: p for p in Product.objects.select_related("preparing_hospital")}
    patent = products["ZA04BAL0012010102286"]
    assert patent.category == "mongolian_patent" and patent.name_mn == MN_NAME
    assert patent.insurance_class == "A"  # 蒙成药 are managed as 甲类, even when the cell is empty
    assert patent.name_en == "Zhachong Shisanwei Pills"
    pieces = products["NMY150100000002"]
    assert pieces.category == "mongolian_pieces" and pieces.shortage and pieces.pack_size == 500
    preparation = products["NMZ150100000003"]
    assert preparation.category == "hospital_preparation" and preparation.preparing_hospital == hospital
    assert preparation.mongolian_medicine and preparation.insurance_class == "A"
    assert products["NMT150100000004"].insurance_class == "B"
    again, _ = run(to_csv(DRUG_HEADERS, GOOD_DRUGS), "platform")
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 4, "error": 0}


@pytest.mark.django_db
def test_optional_columns_may_be_left_out():
    headers = ["类别", "医保代码", "通用名", "最小包装数量", "最小制剂单位", "最小包装单位", "生产企业", "批准文号"]
    result, lines = run(to_csv(headers, [GOOD_DRUGS[0]]), "platform")
    assert result.ok, [line.text() for line in lines]
    Product.objects.filter(nhsa_code="ZA04BAL0012010102286").update(shortage=True, name_mn=MN_NAME)
    again, _ = run(to_csv(headers, [GOOD_DRUGS[0]]), "platform")
    assert again.counts["unchanged"] == 1  # columns the file does not have are not touched
    assert Product.objects.get(nhsa_code="ZA04BAL0012010102286").shortage


BAD_DRUGS = [
    # The wording of code and script messages belongs to catalog.codes / catalog.names; the row and column are ours.
    pytest.param(0, {"蒙古文名称": "ᠵᠠᠭᠠᠨ Zhachong"}, "蒙古文名称：", "", id="mongolian-with-latin"),
    pytest.param(0, {"蒙古文名称": "Монгол эм"}, "蒙古文名称：", "", id="mongolian-with-cyrillic"),
    pytest.param(0, {"医保类别": "乙"}, "医保类别：", "甲类", id="mongolian-patent-class-b"),
    pytest.param(2, {"医保类别": "乙"}, "医保类别：", "甲类", id="mongolian-preparation-class-b"),
    pytest.param(2, {"配制医疗机构": "不存在的医院"}, "配制医疗机构：", "不在机构名录中", id="unknown-hospital"),
    pytest.param(
        2, {"配制医疗机构": ""}, "配制医疗机构：", "医院制剂必须填写配制医疗机构", id="preparation-without-hospital"
    ),
    pytest.param(3, {"配制医疗机构": HOSPITAL}, "配制医疗机构：", "只有医院制剂", id="hospital-on-other-category"),
    pytest.param(0, {"类别": "藏药"}, "类别：", "类别“藏药”无效", id="unknown-category"),
    pytest.param(0, {"类别": "医用耗材"}, "类别：", "医用耗材模板", id="consumable-in-drug-template"),
    pytest.param(0, {"医保代码": "XA01ABD075A002010100483"}, "医保代码：", "", id="prefix-for-category"),
    pytest.param(1, {"医保代码": "NMY15010000"}, "医保代码：", "", id="local-code-too-short"),
    pytest.param(0, {"最小包装数量": "十"}, "最小包装数量：", "正整数", id="pack-size-text"),
    pytest.param(0, {"短缺药品": "可能"}, "短缺药品：", "应为 是 或 否", id="bad-flag"),
    pytest.param(3, {"蒙药": "是"}, "蒙药：", "只用于医院制剂", id="flag-on-tcm-pieces"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("index, changes, field, message", BAD_DRUGS)
def test_a_bad_drug_row_names_row_and_field_and_nothing_is_written(hospital, index, changes, field, message):
    rows = [dict(r) for r in GOOD_DRUGS]
    rows[index].update(changes)
    result, lines = run(to_csv(DRUG_HEADERS, rows), "platform")
    assert not result.ok
    errors = errors_of(lines)
    assert list(errors) == [index + 2], errors
    assert field in errors[index + 2] and message in errors[index + 2], errors
    assert Product.objects.count() == 0


CONSUMABLE_HEADERS = [
    "医保代码",
    "耗材名称",
    "耗材分类",
    "高值耗材",
    "高值耗材类别",
    "规格型号",
    "最小包装数量",
    "最小使用单位",
    "最小包装单位",
    "生产企业",
    "注册证编号",
    "医保类别",
    "备注",
]


def consumable(**values) -> dict:
    row = dict.fromkeys(CONSUMABLE_HEADERS, "")
    row.update(
        {
            "最小包装数量": "1",
            "最小使用单位": "个",
            "最小包装单位": "盒",
            "生产企业": "乐普（北京）医疗器械股份有限公司",
            "高值耗材": "否",
        }
    )
    row.update(values)
    return row


GOOD_CONSUMABLES = [
    consumable(
        医保代码="C0301012110000102617",
        耗材名称="冠状动脉药物洗脱支架系统",
        耗材分类="血管介入治疗类",
        高值耗材="是",
        高值耗材类别="血管介入",
        规格型号="2.5×18mm",
        注册证编号="国械注准20173460001",
        医保类别="乙",
    ),
    consumable(
        医保代码="C1404010000000100345",
        耗材名称="一次性使用无菌注射器",
        耗材分类="注射穿刺类",
        规格型号="5ml",
        最小包装数量="100",
        最小使用单位="支",
        最小包装单位="箱",
        注册证编号="国械注准20153151234",
    ),
]


@pytest.mark.django_db
def test_the_consumables_template_imports_high_value_classes_by_label():
    ManufacturerFactory(name="乐普（北京）医疗器械股份有限公司")
    result, lines = run(to_csv(CONSUMABLE_HEADERS, GOOD_CONSUMABLES), "consumables")
    assert result.ok, [line.text() for line in lines]
    stent = Product.objects.get(nhsa_code="C0301012110000102617")
    assert stent.category == "consumable" and stent.high_value and stent.high_value_class == "vascular"
    assert stent.consumable_class == "血管介入治疗类" and stent.specification == "2.5×18mm"
    assert stent.approval_number == "国械注准20173460001" and stent.insurance_class == "B"
    syringe = Product.objects.get(nhsa_code="C1404010000000100345")
    assert not syringe.high_value and syringe.high_value_class == "" and syringe.min_unit == "支"
    assert result.manufacturers_created == 0  # matched by name


@pytest.mark.django_db
def test_the_consumables_template_accepts_the_generic_name_header_for_the_name_column():
    headers = ["通用名" if h == "耗材名称" else h for h in CONSUMABLE_HEADERS]
    rows = [{("通用名" if k == "耗材名称" else k): v for k, v in r.items()} for r in GOOD_CONSUMABLES]
    result, _ = run(to_csv(headers, rows), "consumables")
    assert result.ok and Product.objects.filter(generic_name="一次性使用无菌注射器").exists()


BAD_CONSUMABLES = [
    pytest.param(
        0, {"高值耗材类别": "心脏类"}, "高值耗材类别：", "高值耗材类别“心脏类”无效，可选：血管介入", id="unknown-class"
    ),
    pytest.param(1, {"高值耗材类别": "血管介入"}, "高值耗材类别：", "只有高值耗材", id="class-without-high-value"),
    pytest.param(0, {"高值耗材类别": ""}, "高值耗材类别：", "必须填写高值耗材类别", id="high-value-without-class"),
    pytest.param(0, {"高值耗材": "也许"}, "高值耗材：", "应为 是 或 否", id="bad-flag"),
    pytest.param(0, {"医保代码": "XA01ABD075A002010100483"}, "医保代码：", "", id="drug-code"),
    pytest.param(1, {"医保代码": "C14040100"}, "医保代码：", "", id="code-too-short"),
    pytest.param(1, {"最小包装数量": "0"}, "最小包装数量：", "应大于 0", id="pack-zero"),
    pytest.param(1, {"医保类别": "丙类以外"}, "医保类别：", "无效", id="bad-insurance-class"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("index, changes, field, message", BAD_CONSUMABLES)
def test_a_bad_consumable_row_names_row_and_field_and_nothing_is_written(index, changes, field, message):
    rows = [dict(r) for r in GOOD_CONSUMABLES]
    rows[index].update(changes)
    result, lines = run(to_csv(CONSUMABLE_HEADERS, rows), "consumables")
    assert not result.ok
    errors = errors_of(lines)
    assert list(errors) == [index + 2], errors
    assert field in errors[index + 2] and message in errors[index + 2], errors
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_a_file_of_another_layout_is_refused_by_its_headers():
    result, _ = run(to_csv(CONSUMABLE_HEADERS, GOOD_CONSUMABLES), "platform")
    assert "缺少必需的列：类别、通用名、最小制剂单位" in result.file_error
    assert Product.objects.count() == 0
