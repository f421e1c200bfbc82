import csv
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from catalog.codes import (
    ACCEPTED,
    VALID_APPROVAL,
    VALID_CODE,
    approval_problem,
    code_problem,
    company_code,
    normalize_code,
    parse_western_code,
    standard_code_check_digit,
    validate_approval_number,
    validate_product_code,
    validate_standard_code,
)

SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "nhsa_drugs_sample.csv"


def sample_rows():
    if not SAMPLE.exists():
        pytest.skip("../shared/data/nhsa_drugs_sample.csv is not beside the project")
    with SAMPLE.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_every_sample_row_is_a_valid_chemical_drug():
    rows = sample_rows()
    assert len(rows) == 11
    for row in rows:
        code = validate_product_code(row["药品代码"], category="chemical")
        assert validate_approval_number(row["批准文号"], category="chemical") == row["批准文号"]
        standard = validate_standard_code(row["药品本位码"])
        # The company part of the code is the company part of the drug standard code.
        assert company_code(code) == standard[3:8]


def test_western_code_parts():
    assert parse_western_code("XA01ABD075A002010100483") == {
        "class": "A01AB",
        "generic_code": "D075",
        "dosage_form_group": "A0",
        "spec_pack": "020101",
        "company_code": "00483",
    }


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ＸＡ01ＡＢD075A002010100483", "XA01ABD075A002010100483"),
        (" XA01AB D075 A0020101 00483 ", "XA01ABD075A002010100483"),
        ("xa01abd075a002010100483", "XA01ABD075A002010100483"),
        ("XA01ABD075A002010100483\u3000", "XA01ABD075A002010100483"),
    ],
)
def test_full_width_case_and_stray_spaces_are_normalised_not_rejected(raw, expected):
    assert normalize_code(raw) == expected
    assert validate_product_code(raw, category="chemical") == expected


@pytest.mark.parametrize(
    "code, category",
    [
        ("XA01ABD075A002010100483", "chemical"),
        ("XA01ABD075A002010100483", "biological"),
        ("ZA04BAL0145010102390", "chinese_patent"),
        ("ZA04BAL0145010102390", "mongolian_patent"),
        ("NMZ150500000001", "mongolian_patent"),
        ("T000700001", "tcm_pieces"),
        ("TA0700001010203A0001", "tcm_pieces"),
        ("NMT150100000012", "tcm_pieces"),
        ("NMY150500000123", "mongolian_pieces"),
        ("T000700002", "mongolian_pieces"),
        ("NMZ152500000009", "hospital_preparation"),
        ("C0101010010000100483", "consumable"),
        ("C01010100100001004830000000", "consumable"),
    ],
)
def test_valid_shapes(code, category):
    assert code_problem(code, category=category) is None


@pytest.mark.parametrize(
    "code, category, fragment",
    [
        ("ZA01ABD075A002010100483", "chemical", "化学药品的医保代码应以 X 开头，实际为 Z"),
        ("XA01ABD075A002010100483", "chinese_patent", "中成药的医保代码应以 Z 开头，实际为 X"),
        ("XA01ABD075A00201010048", "chemical", "应为 23 位，当前为 22 位"),
        ("XA01ABD075A0020101004833", "chemical", "应为 23 位，当前为 24 位"),
        ("X101ABD075A002010100483", "chemical", "结构不正确"),
        ("XA01ABD075A00201010048-", "chemical", "第 23 位“-”不是字母或数字"),
        ("ZA04BAL014501010239", "chinese_patent", "应为 20 位，当前为 19 位"),
        ("ZA04BAL01450101023X0", "chinese_patent", "末 5 位企业编码应为数字"),
        ("C010101001000010048", "consumable", "当前为 19 位"),
        ("C0101010010000100A83", "consumable", "第 16-20 位（生产企业码）应为数字"),
        ("NMY150500000123", "hospital_preparation", "医院制剂的医保代码应以 NMZ 开头，实际为 NMY"),
        ("NMY140500000123", "mongolian_pieces", "15 开头"),
        ("NMY15050000012", "mongolian_pieces", "应为 15 位"),
        ("T00070001", "tcm_pieces", "当前为 9 位"),
        ("", "chemical", "不能为空"),
        ("XA01ABD075A002010100483", "drink", "未知的产品类别"),
    ],
)
def test_wrong_shapes_say_why(code, category, fragment):
    problem = code_problem(normalize_code(code), category=category)
    assert problem is not None and fragment in problem, problem


def test_validator_raises_django_validation_error():
    with pytest.raises(ValidationError) as exc:
        validate_product_code("ZA01", category="chemical")
    assert "应以 X 开头" in exc.value.messages[0]


def test_standard_code_check_digit_matches_published_codes():
    for code in ("86900483000019", "86900594000342", "86900144005704", "86900594000335"):
        assert standard_code_check_digit(code[:13]) == int(code[13])
    with pytest.raises(ValidationError, match="校验位错误"):
        validate_standard_code("86900483000018")
    with pytest.raises(ValidationError, match="14 位"):
        validate_standard_code("8690048300001")
    with pytest.raises(ValidationError, match="86"):
        validate_standard_code("69900483000019")
    with pytest.raises(ValidationError, match="数字"):
        validate_standard_code("8690048300001X")


@pytest.mark.parametrize(
    "value, category",
    [
        ("国药准字H20067255", "chemical"),
        ("国药准字HJ20170012", "chemical"),
        ("H20170001", "chemical"),
        ("国药准字S20180023", "biological"),
        ("国药准字Z20025001", "chinese_patent"),
        ("国药准字Z15020345", "mongolian_patent"),
        ("", "tcm_pieces"),
        ("", "mongolian_pieces"),
        ("蒙药制字M20150012", "mongolian_pieces"),
        ("蒙药制字M20150012", "hospital_preparation"),
        ("蒙药制备字Z20100003", "hospital_preparation"),
        ("国械注准20153460123", "consumable"),
        ("国械注进20173130456", "consumable"),
        ("蒙械注准20192140001", "consumable"),
        ("蒙呼械备20190001号", "consumable"),
        ("国械备20200015号", "consumable"),
        ("国药准字 h2006 7255", "chemical"),
        ("国药准字Ｈ20067255", "chemical"),
    ],
)
def test_valid_approval_numbers(value, category):
    assert approval_problem(normalize_code(value), category=category) is None


@pytest.mark.parametrize(
    "value, category, fragment",
    [
        ("", "chemical", "化学药品必须填写批准文号"),
        ("", "consumable", "必须填写注册证编号或备案号"),
        ("国药准字H2006725", "chemical", "国药准字 + 类别字母"),
        ("国药准字Z20067255", "chemical", "类别字母应为"),
        ("国药准字H20067255", "chinese_patent", "类别字母应为 Z/ZJ，实际为 H"),
        ("国药准字H20067255", "mongolian_patent", "应为 Z，实际为 H"),
        ("国药准字H20067255", "hospital_preparation", "药制字"),
        ("国械注准2015346012", "consumable", "格式不正确"),
        ("国药准字H20067255", "consumable", "格式不正确"),
        ("ABC", "chemical", "格式不正确"),
    ],
)
def test_wrong_approval_numbers_say_why(value, category, fragment):
    problem = approval_problem(normalize_code(value), category=category)
    assert problem is not None and fragment in problem, problem


# --- values taken as they stand (codes.VALID_CODE, VALID_APPROVAL: the column checks' fast path) -----------------
AS_IS_CODES = [
    "XA01ABD075A002010100483",
    "XA01ABD075A00201010048",  # 22 characters
    "XA01ABD075A0020101004833",
    "xa01abd075a002010100483",  # lower case: normalised, not as it stands
    "ＸA01ABD075A002010100483",  # a full-width letter
    "XA01ABD075A00201010048３",  # a full-width digit
    "XA01ABD075A00201010048٣",  # an Arabic-Indic digit (\\d in the shapes' expressions)
    "XA01ABD075A0020101004 83",
    "X101ABD075A002010100483",
    "ZA04BAL0012010102286",
    "ZA04BAL01450101023X0",
    "T000700002",
    "T00070001",
    "TA04BAL0012010102286",
    "C0101010010000100483",
    "C01010100100001004830000000",
    "C0101010010000100A83",
    "NMY150500000123",
    "NMZ152500000009",
    "",
]
AS_IS_APPROVALS = [
    "国药准字H20067255",
    "国药准字HJ20170012",
    "国药准字J20170012",
    "国药准字S20180023",
    "国药准字SJ20180023",
    "国药准字Z20025001",
    "国药准字ZJ20025001",
    "国药准字B20025001",
    "国药准字H2006725",
    "国药准字H200672555",
    "国药准字h20067255",
    "国药准字Ｈ20067255",
    "国药准字H2006725５",
    "国药准字 H20067255",
    "H20170001",
    "蒙药制字M20150012",
    "无",
    "",
]


@pytest.mark.parametrize("category", sorted(ACCEPTED))
def test_a_code_valid_as_it_stands_is_what_the_full_check_returns(category):
    valid = VALID_CODE.get(category)
    if valid is None:
        return
    for code in AS_IS_CODES:
        if valid(code):
            assert validate_product_code(code, category=category) == code
    national = {"chemical": 0, "biological": 0, "chinese_patent": 9, "mongolian_patent": 9}
    if category in national:  # the usual code of the category passes, so the column checks take the short way
        assert valid(AS_IS_CODES[national[category]])


@pytest.mark.parametrize("category", sorted(ACCEPTED))
def test_an_approval_number_valid_as_it_stands_is_what_the_full_check_returns(category):
    valid = VALID_APPROVAL.get(category)
    if valid is None:
        return
    passed = [value for value in AS_IS_APPROVALS if valid(value)]
    for value in passed:
        assert validate_approval_number(value, category=category) == value
    assert set(passed) <= {v for v in AS_IS_APPROVALS[:8]}  # only 国药准字 + a letter + 8 ASCII digits
    assert passed  # every category with 国药准字 letters has its own numbers pass
