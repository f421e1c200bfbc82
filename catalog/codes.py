"""National code and approval-number shapes (interim; see tests/catalog/test_codes.py)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models


class Category(models.TextChoices):
    CHEMICAL = "chemical", "化学药品"
    BIOLOGICAL = "biological", "生物制品"
    CHINESE_PATENT = "chinese_patent", "中成药"
    TCM_PIECES = "tcm_pieces", "中药饮片"
    MONGOLIAN_PATENT = "mongolian_patent", "蒙成药"
    MONGOLIAN_PIECES = "mongolian_pieces", "蒙药饮片"
    HOSPITAL_PREPARATION = "hospital_preparation", "医院制剂"
    CONSUMABLE = "consumable", "医用耗材"


DRUG_CATEGORIES = frozenset(c for c in Category.values if c != "consumable")
MONGOLIAN_CATEGORIES = frozenset({"mongolian_patent", "mongolian_pieces"})


def normalize_code(value: str) -> str:
    out = []
    for ch in str(value or ""):
        o = ord(ch)
        out.append(chr(o - 0xFEE0) if 0xFF01 <= o <= 0xFF5E else ch)
    return re.sub(r"\s+", "", "".join(out)).upper()


LOCAL = re.compile(r"^NM[YZT]\d{12}$")
SHAPES = {
    "X": re.compile(r"^X[A-Z]\d{2}[A-Z]{2}[A-Z]\d{3}[A-Z0-9]{2}\d{8}$"),
    "Z": re.compile(r"^Z[A-Z0-9]{14}\d{5}$"),
    "T": re.compile(r"^T[A-Z0-9]{19}$"),
    "C": re.compile(r"^C(\d{19}|\d{26})$"),
}
PREFIXES = {
    "chemical": ("X",), "biological": ("X",), "chinese_patent": ("Z",), "mongolian_patent": ("Z", "NMZ"),
    "tcm_pieces": ("T", "NMT"), "mongolian_pieces": ("T", "NMY"), "hospital_preparation": ("NMZ", "NMY"),
    "consumable": ("C",),
}


def code_problem(code: str, *, category: str) -> str | None:
    if not code:
        return "医保代码不能为空"
    prefixes = PREFIXES[category]
    label = Category(category).label
    if not code.startswith(prefixes):
        return f"{label}的医保代码应以 {' 或 '.join(prefixes)} 开头，实际为 {code[:1]}"
    if code.startswith("NM"):
        return None if LOCAL.match(code) else "自治区地方编码应为 NM + 类型字母 + 12 位数字"
    shape = SHAPES[code[0]]
    return None if shape.match(code) else f"{label}的医保代码格式不正确"


def validate_product_code(code: str, *, category: str) -> str:
    code = normalize_code(code)
    problem = code_problem(code, category=category)
    if problem:
        raise ValidationError(problem, code="invalid_code")
    return code


def validate_standard_code(value: str) -> str:
    value = normalize_code(value)
    if not re.fullmatch(r"86\d{12}", value):
        raise ValidationError("药品本位码应为以 86 开头的 14 位数字", code="invalid_standard_code")
    return value


def validate_approval_number(value: str, *, category: str) -> str:
    value = normalize_code(value)
    return value
