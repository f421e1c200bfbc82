"""Consumables' national codes by their parts, UDI-DIs by issuing agency, and a product refused for either."""

import pytest
from django.utils import translation

from catalog import services
from catalog.codes import code_problem, parse_consumable_code
from catalog.models import Product
from catalog.udi import gtin_check_digit, issuing_agency, normalize_udi_di, udi_di_problem
from common.errors import ValidationFailed
from tests.factories import ManufacturerFactory


@pytest.fixture(autouse=True)
def _chinese():
    """The messages are asserted in Chinese, whatever language an earlier test in this process left active."""
    with translation.override("zh-hans"):
        yield


def test_twenty_character_code_parts():
    parts = parse_consumable_code("C1002010031100109184")
    assert parts == {
        "class": "100201",
        "generic_code": "003",
        "features": "11001",
        "company_code": "09184",
        "model": "",
        "base": "C1002010031100109184",
    }


def test_twenty_seven_character_code_is_the_twenty_plus_a_model_part():
    parts = parse_consumable_code("C10020100312001091910000021")
    assert parts["base"] == "C1002010031200109191"
    assert parts["model"] == "0000021"
    assert code_problem("C10020100312001091910000021", category="consumable") is None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("C10020100311001091", "当前为 18 位"),
        ("C100201003110010918", "当前为 19 位"),
        ("C10A201003110010918" + "4", "第 2-7 位（分类码）应为数字"),
        ("C1002010X31100109184", "第 8-10 位（通用名码）应为数字"),
        ("C100201003110X109184", "第 11-15 位（产品特征码）应为数字"),
        ("C1002010031100109184000002X", "第 21-27 位（规格型号码）应为数字"),
        ("X1002010031100109184", "应以 C 开头"),
    ],
)
def test_wrong_code_parts_are_named(code, message):
    problem = code_problem(code, category="consumable")
    assert problem is not None and message in problem, problem


def test_gs1_check_digits():
    # Published examples: GTIN-13 4006381333931 (GS1's own example), EAN 6901234567892 (GS1 China).
    assert gtin_check_digit("400638133393") == 1
    assert gtin_check_digit("690123456789") == 2
    assert udi_di_problem("4006381333931") is None
    assert udi_di_problem("6901234567892") is None
    assert udi_di_problem("06901234567892") is None  # the same as a GTIN-14 with indicator 0
    assert udi_di_problem(normalize_udi_di("(01)06901234567892")) is None


@pytest.mark.parametrize(
    ("di", "message"),
    [
        ("6901234567893", "校验位错误：第 13 位应为 2，实际为 3"),
        ("06901234567891", "校验位错误：第 14 位应为 2，实际为 1"),
        ("690123456789", "应为 13 位（GTIN-13）或 14 位（GTIN-14）数字，当前为 12 位"),
        ("ABC123", "无法识别发码机构"),
        ("+B5", "HIBC 产品标识"),
    ],
)
def test_bad_udi_di(di, message):
    problem = udi_di_problem(normalize_udi_di(di))
    assert problem is not None and message in problem, problem


@pytest.mark.parametrize(
    ("di", "agency"),
    [("+B517IOL20D0", "hibc"), ("=/A9999XYZ100T0944", "iccbba"), ("MA.156.M0.100001.0010001", "ma")],
)
def test_other_issuing_agencies_accepted_without_a_check(di, agency):
    code = normalize_udi_di(di)
    assert issuing_agency(code) == agency
    assert udi_di_problem(code) is None


def _iol(**extra):
    fields = {
        "category": "consumable",
        "nhsa_code": "C1002010031100109184",
        "generic_name": "人工晶状体",
        "pack_size": 1,
        "min_unit": "片",
        "pack_unit": "盒",
        "manufacturer_id": ManufacturerFactory(name="晶体测试医疗器械有限公司").pk,
        "approval_number": "国械注准20193160215",
        "consumable_class": "人工晶体类",
        "high_value": True,
        "high_value_class": "iol",
    }
    fields.update(extra)
    return services.product_create(**fields)


@pytest.mark.django_db
def test_product_with_bad_udi_check_digit_is_refused_and_nothing_written():
    with pytest.raises(ValidationFailed) as exc:
        _iol(udi_di="06901234567891")
    assert exc.value.field == "udi_di"
    assert exc.value.code == "invalid_udi_di"
    assert "校验位错误" in exc.value.message
    assert not Product.objects.filter(nhsa_code="C1002010031100109184").exists()


@pytest.mark.django_db
def test_product_with_wrong_code_part_is_refused_and_nothing_written():
    with pytest.raises(ValidationFailed) as exc:
        _iol(nhsa_code="C1002010X31100109184", udi_di="06901234567892")
    assert exc.value.field == "nhsa_code"
    assert "通用名码" in exc.value.message
    assert not Product.objects.filter(generic_name="人工晶状体").exists()


@pytest.mark.django_db
def test_product_udi_normalised_and_drug_carries_none():
    product = _iol(udi_di="（01）06901234567892")
    assert product.udi_di == "06901234567892"
    assert product.registration_number == "国械注准20193160215"
