"""The column-wise product rules (``clean_product_columns``, used by the import for a batch's new rows) against the
one-product rules (``clean_product_fields``): the same rows found good, with the same cleaned fields, and the same
rows found bad."""

import pytest

from bench.catalog_import import HEADERS, row_for
from catalog.codes import Category
from catalog.layouts import get_layout
from catalog.rules import clean_product_columns, clean_product_fields

MN_NAME = "ᠵᠠᠭᠠᠨ ᠬᠣᠷᠴᠠ ᠭᠣᠷᠪᠠ"


def nhsa_rows(count: int) -> list[dict]:
    layout = get_layout("nhsa")
    by_header = {c.header: c for c in layout.columns}
    rows = []
    for i in range(count):
        cells = {by_header[h]: v for h, v in zip(HEADERS, row_for(i), strict=True)}
        data, errors = layout.read_row(cells)
        assert not errors
        data.pop("manufacturer")
        data["manufacturer_id"] = 1 + i % 3
        rows.append(data)
    return rows


# One change to a good row each: the bad ones are every kind of problem the rules find, the rest clean alike.
MUTATIONS = [
    {},
    {"pack_size": "24.0"},
    {"pack_size": 24.0},
    {"pack_size": 24},
    {"pack_size": True},
    {"pack_size": 1},
    {"pack_size": "0"},
    {"pack_size": "-3"},
    {"pack_size": "2.5"},
    {"pack_size": "十"},
    {"pack_size": ""},
    {"pack_size": None},
    {"pack_size": "２４"},
    {"generic_name": ""},
    {"generic_name": "  阿莫西林\u3000胶囊  "},
    {"generic_name": "名" * 201},
    {"trade_name": "a\x07b"},
    {"min_unit": ""},
    {"pack_unit": " "},
    {"nhsa_code": "X123"},
    {"nhsa_code": ""},
    {"approval_number": "国药准字Z15020795"},
    {"approval_number": "无"},
    {"approval_number": "nonsense"},
    {"standard_code": "无"},
    {"standard_code": "86900483000019"},
    {"standard_code": "123"},
    {"insurance_class": "乙类"},
    {"insurance_class": "丁"},
    {"insurance_class": "b"},
    {"name_mn": MN_NAME},
    {"name_mn": "Latin"},
    {"remarks": "备注 " * 5},
]


def check(rows: list[dict], category: str) -> list[bool]:
    fields = list(rows[0])
    assert all(list(r) == fields for r in rows)
    columns = {name: [r[name] for r in rows] for name in fields}
    cleaned_columns, bad = clean_product_columns(columns, category)
    names = list(cleaned_columns)
    for i, row in enumerate(rows):
        cleaned, errors = clean_product_fields(dict(row))
        assert bad[i] == bool(errors), (row, errors)
        if not errors:
            assert dict(zip(names, (cleaned_columns[n][i] for n in names), strict=True)) == cleaned, row
    return bad


def test_nhsa_rows_every_mutation():
    base = nhsa_rows(len(MUTATIONS) * 3)
    rows = []
    for i, row in enumerate(base):
        rows.append({**row, "name_mn": "", **MUTATIONS[i % len(MUTATIONS)]})  # every row with the same fields
    bad = check(rows, rows[0]["category"])
    assert 10 < sum(bad) < len(rows) - 10


@pytest.mark.parametrize(
    "category, code, approval",
    [
        (Category.MONGOLIAN_PATENT.value, "ZA04BAL0012010102286", "国药准字Z15020795"),
        (Category.MONGOLIAN_PIECES.value, "NMY150100000002", ""),
        (Category.TCM_PIECES.value, "NMT150100000004", ""),
        (Category.HOSPITAL_PREPARATION.value, "NMZ150100000003", "蒙药制字M20150012"),
        (Category.CONSUMABLE.value, "C0301012110000102617", "国械注准20173460001"),
    ],
)
def test_other_categories(category, code, approval):
    base = {
        "category": category,
        "nhsa_code": code,
        "generic_name": "嘎日迪五味丸",
        "name_mn": MN_NAME,
        "pack_size": "10",
        "min_unit": "丸",
        "pack_unit": "盒",
        "approval_number": approval,
        "standard_code": "",
        "insurance_class": "甲",
        "mongolian_medicine": False,
        "manufacturer_id": 1,
        "preparing_hospital_id": 7,
        "high_value": False,
        "high_value_class": "",
        "udi_di": "",
    }
    variants = [
        {},
        {"insurance_class": "乙"},
        {"insurance_class": ""},
        {"mongolian_medicine": True, "insurance_class": "乙"},
        {"mongolian_medicine": True},
        {"preparing_hospital_id": None},
        {"high_value": True},
        {"high_value": True, "high_value_class": "vascular"},
        {"udi_di": "bad udi"},
        {"name_mn": "Кириллица"},
        {"nhsa_code": "X"},
    ]
    bad = check([{**base, **v} for v in variants], category)
    assert not all(bad)
