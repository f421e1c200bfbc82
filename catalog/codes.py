"""National code shapes (医保药品/耗材编码, NHSA) and approval numbers, with clear messages.

What people type is normalised first — full-width letters and digits become half-width, stray spaces are
dropped, letters upper-cased — and only then checked. Everything else that is wrong is rejected with the
reason (length, prefix for the category, character, check digit).

Shapes (seed 000: "贯彻…医保药品、医保医用耗材等15项信息业务编码标准"; DESIGN.md §10):

* Western drugs (化学药品, 生物制品), 23 characters, e.g. ``XA01ABD075A002010100483``::

      X | A01AB | D075 | A0 | 020101 | 00483
      X   class   generic  dosage-  specification /   company code (the company part of
          (ATC-    name     form     packaging         the 14-digit drug standard code
          like)    code     group    serials           86900483000019)

* Chinese patent medicines (中成药, and 蒙成药 coded nationally), 20 characters starting with Z, the last five
  digits being the company code.
* Decoction pieces (中药饮片) ``T`` + 9 digits, and formula granules (配方颗粒) ``T`` + 19 characters.
* Consumables (医保医用耗材代码): 20 characters in five parts — ``C`` (耗材标识码) + 6-digit class (分类码: discipline,
  use, site, function) + 3-digit generic name (通用名码) + 5-digit product features (产品特征码: material,
  specification…) + 5-digit company (生产企业码, given per registration certificate or filing). The 27-character form
  is that 20-character code followed by a 7-digit serial of the specification/model (规格型号), which the NHSA
  database keeps per model; it is not an older form (DESIGN §10 says "27 in the older form": that wording is
  superseded here, see docs/consumables.md). ``parse_consumable_code`` names the parts.
* Local provincial scheme for products with no national code (蒙药饮片, 医院制剂, 中药饮片 not yet coded):
  ``NM`` + type letter + 6-digit division code of the region that registered it + 6-digit serial, 15
  characters, e.g. ``NMY150500000123``. Type letters: ``Y`` 蒙药饮片, ``Z`` 医院制剂, ``T`` 中药饮片.

Approval numbers: 国药准字 + H/Z/S/J/T/F/B + 8 digits (imported drugs packaged at home: HJ/SJ/ZJ; imported
registration certificates H/S/Z (+C) + 8 digits); medical devices 国械注准/国械注进/国械注许 + 11 digits, provincial
registrations such as 蒙械注准 + 11 digits, filings 国械备/蒙呼械备 + 8 digits + 号; hospital preparations
<province>药制字 + letter + 8 digits (蒙药制字M20150012), accepted as local numbers.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .errors import CatalogError


class Category(models.TextChoices):
    CHEMICAL = "chemical", _("化学药品")
    BIOLOGICAL = "biological", _("生物制品")
    CHINESE_PATENT = "chinese_patent", _("中成药")
    TCM_PIECES = "tcm_pieces", _("中药饮片")
    MONGOLIAN_PATENT = "mongolian_patent", _("蒙成药")
    MONGOLIAN_PIECES = "mongolian_pieces", _("蒙药饮片")
    HOSPITAL_PREPARATION = "hospital_preparation", _("医院制剂")
    CONSUMABLE = "consumable", _("医用耗材")


DRUG_CATEGORIES = frozenset(c for c in Category.values if c != Category.CONSUMABLE)
MONGOLIAN_CATEGORIES = frozenset({Category.MONGOLIAN_PATENT.value, Category.MONGOLIAN_PIECES.value})

_CATEGORY_LABELS = {
    "chemical": "化学药品",
    "biological": "生物制品",
    "chinese_patent": "中成药",
    "tcm_pieces": "中药饮片",
    "mongolian_patent": "蒙成药",
    "mongolian_pieces": "蒙药饮片",
    "hospital_preparation": "医院制剂",
    "consumable": "医用耗材",
}

_WHITESPACE = re.compile(r"[\s\u3000\u00a0\u200b]+")


# Full-width ASCII (U+FF01–U+FF5E) → half-width, and Latin small letters (either width) → capitals.
_CODE_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_CODE_TABLE.update({code: code - 0xFEE0 - 32 for code in range(0xFF41, 0xFF5B)})
_CODE_TABLE.update({code: code - 32 for code in range(ord("a"), ord("z") + 1)})


# What the table changes: without any of these (a code typed in capitals, 国药准字H…) the text is left as it is.
_TABLE_CHARS = re.compile("[a-z\uff01-\uff5e]")


def normalize_code(value) -> str:
    """Full-width → half-width, drop every whitespace (also inner), upper-case Latin letters."""
    text = str(value or "")
    if text.isascii():
        text = text.upper()  # in ASCII the table only capitalises a–z, as upper() does
    elif _TABLE_CHARS.search(text):
        text = text.translate(_CODE_TABLE)
    # No whitespace (nor U+3000, U+00A0, U+200B) is a letter or digit: a code that is all letters and digits, as
    # nearly every code in a file is, has nothing to drop, and is returned without running the expression.
    return text if text.isalnum() else _WHITESPACE.sub("", text)


# --- product codes ----------------------------------------------------------------------------------

WESTERN = re.compile(
    r"^X(?P<klass>[A-Z]\d{2}[A-Z]{2})(?P<generic>[A-Z]\d{3})(?P<form>[A-Z0-9]{2})(?P<spec>\d{6})(?P<company>\d{5})$"
)
CHINESE_PATENT = re.compile(r"^Z[A-Z0-9]{14}\d{5}$")
PIECES = re.compile(r"^T\d{9}$")
GRANULES = re.compile(r"^T[A-Z0-9]{19}$")
CONSUMABLE = re.compile(r"^C(?P<klass>\d{6})(?P<generic>\d{3})(?P<features>\d{5})(?P<company>\d{5})(?P<model>\d{7})?$")
LOCAL = re.compile(r"^NM(?P<type>[YZT])(?P<division>\d{6})(?P<serial>\d{6})$")

# Which shapes each category accepts, in the order they are named in messages.
ACCEPTED: dict[str, tuple[str, ...]] = {
    "chemical": ("X",),
    "biological": ("X",),
    "chinese_patent": ("Z",),
    "mongolian_patent": ("Z", "NMZ"),
    "tcm_pieces": ("T", "NMT"),
    "mongolian_pieces": ("T", "NMY"),
    "hospital_preparation": ("NMZ",),
    "consumable": ("C",),
}

_SHAPE_HELP = {
    "X": "X 开头的 23 位西药代码（X + 5 位分类 + 4 位通用名编码 + 2 位剂型 + 6 位规格包装 + 5 位企业编码）",
    "Z": "Z 开头的 20 位中成药代码（末 5 位为企业编码）",
    "T": "T 开头的 10 位中药饮片代码或 20 位配方颗粒代码",
    "C": "C 开头的 20 位耗材代码（C + 6 位分类码 + 3 位通用名码 + 5 位产品特征码 + 5 位生产企业码），"
    "或其后再加 7 位规格型号码的 27 位代码",
    "NMY": "自治区地方编码 NMY + 6 位行政区划代码 + 6 位流水号",
    "NMZ": "自治区地方编码 NMZ + 6 位行政区划代码 + 6 位流水号",
    "NMT": "自治区地方编码 NMT + 6 位行政区划代码 + 6 位流水号",
}


def _category_label(category: str) -> str:
    return _CATEGORY_LABELS.get(category, category)


def _bad_character(code: str) -> str | None:
    if code.isascii() and code.isalnum():
        return None
    for position, ch in enumerate(code, start=1):
        if not (ch.isascii() and ch.isalnum()):
            return gettext("第 %(position)s 位“%(ch)s”不是字母或数字") % {"position": position, "ch": ch}
    return None


def _western_problem(code: str) -> str | None:
    if len(code) != 23:
        return gettext("西药代码应为 23 位，当前为 %(count)s 位") % {"count": len(code)}
    if not WESTERN.match(code):
        return gettext("西药代码结构不正确，应为 ") + _SHAPE_HELP["X"]
    return None


def _chinese_patent_problem(code: str) -> str | None:
    if len(code) != 20:
        return gettext("中成药代码应为 20 位，当前为 %(count)s 位") % {"count": len(code)}
    if not CHINESE_PATENT.match(code):
        return gettext("中成药代码结构不正确，末 5 位企业编码应为数字")
    return None


def _pieces_problem(code: str) -> str | None:
    if len(code) not in (10, 20):
        return gettext("中药饮片代码应为 10 位，配方颗粒代码应为 20 位，当前为 %(count)s 位") % {"count": len(code)}
    if not (PIECES.match(code) or GRANULES.match(code)):
        return gettext("中药饮片代码应为 T + 9 位数字；配方颗粒代码应为 T + 19 位字母或数字")
    return None


_CONSUMABLE_PARTS = (
    # (first position, last position, label) — positions 1-based, as the NHSA rule counts them
    (2, 7, "分类码"),
    (8, 10, "通用名码"),
    (11, 15, "产品特征码"),
    (16, 20, "生产企业码"),
    (21, 27, "规格型号码"),
)


def _consumable_problem(code: str) -> str | None:
    if len(code) not in (20, 27):
        return gettext(
            "耗材代码应为 20 位（C + 分类码 6 + 通用名码 3 + 产品特征码 5 + 生产企业码 5）"
            "或 27 位（再加规格型号码 7），当前为 %(count)s 位"
        ) % {"count": len(code)}
    if CONSUMABLE.match(code):
        return None
    for first, last, label in _CONSUMABLE_PARTS:
        part = code[first - 1 : last]
        if part and not part.isdigit():
            return gettext("耗材代码第 %(first)s-%(last)s 位（%(label)s）应为数字，实际为“%(part)s”") % {
                "first": first,
                "last": last,
                "label": label,
                "part": part,
            }
    return gettext("耗材代码结构不正确，应为 ") + _SHAPE_HELP["C"]


def _local_problem(code: str, shape: str) -> str | None:
    """The region's own NM codes (NMY, NMZ, NMT)."""
    if len(code) != 15:
        return gettext("自治区地方编码应为 15 位，当前为 %(count)s 位") % {"count": len(code)}
    match = LOCAL.match(code)
    if not match or not code.startswith(shape):
        return gettext("自治区地方编码结构不正确，应为 ") + _SHAPE_HELP[shape]
    if not match.group("division").startswith("15"):
        return gettext("自治区地方编码的第 4-9 位应为内蒙古的行政区划代码（15 开头）")
    return None


_NATIONAL_SHAPES = {"X": _western_problem, "Z": _chinese_patent_problem, "T": _pieces_problem, "C": _consumable_problem}


def _shape_problem(code: str, shape: str) -> str | None:
    national = _NATIONAL_SHAPES.get(shape)
    return national(code) if national else _local_problem(code, shape)


def _shape_of(code: str) -> str:
    return code[:3] if code.startswith("NM") else code[:1]


def code_problem(code: str, *, category: str) -> str | None:
    """Why `code` (already normalised) is not a valid code for the category, or None."""
    if category not in ACCEPTED:
        return gettext("未知的产品类别“%(category)s”") % {"category": category}
    if not code:
        return gettext("医保代码不能为空")
    bad = _bad_character(code)
    if bad:
        return gettext("医保代码%(bad)s") % {"bad": bad}
    accepted = ACCEPTED[category]
    shape = _shape_of(code)
    if shape not in accepted:
        wanted = " 或 ".join(accepted)
        return gettext("%(value)s的医保代码应以 %(wanted)s 开头，实际为 %(value2)s") % {
            "value": _category_label(category),
            "wanted": wanted,
            "value2": code[:3] if code.startswith("NM") else code[:1],
        }
    problem = _shape_problem(code, shape)
    return f"{_category_label(category)}：{problem}" if problem else None


def validate_product_code(code, *, category: str) -> str:
    """Normalise and check a product code; returns the normalised code or raises ValidationError."""
    normalised = normalize_code(code)
    problem = code_problem(normalised, category=category)
    if problem:
        raise ValidationError(problem, code=CatalogError.INVALID_CODE)
    return normalised


def parse_western_code(code: str) -> dict[str, str]:
    """The named parts of a 23-character western-drug code, for display."""
    match = WESTERN.match(normalize_code(code))
    if not match:
        raise ValueError(gettext("不是西药代码：%(code)s") % {"code": code})
    return {
        "class": match.group("klass"),
        "generic_code": match.group("generic"),
        "dosage_form_group": match.group("form"),
        "spec_pack": match.group("spec"),
        "company_code": match.group("company"),
    }


def parse_consumable_code(code: str) -> dict[str, str]:
    """The named parts of a 20- or 27-character consumable code (医保医用耗材代码); ``model`` is "" in the short form."""
    match = CONSUMABLE.match(normalize_code(code))
    if not match:
        raise ValueError(gettext("不是耗材代码：%(code)s") % {"code": code})
    return {
        "class": match.group("klass"),
        "generic_code": match.group("generic"),
        "features": match.group("features"),
        "company_code": match.group("company"),
        "model": match.group("model") or "",
        "base": code[:20],
    }


def company_code(code: str) -> str | None:
    """The 5-digit company part of a western or Chinese-patent code (also in the 本位码's digits 4-8)."""
    code = normalize_code(code)
    if WESTERN.match(code) or CHINESE_PATENT.match(code):
        return code[-5:]
    return None


# --- drug standard code (药品本位码) ------------------------------------------------------------------


def standard_code_check_digit(first13: str) -> int:
    """GS1 check digit: weights 3 and 1 alternating from the right (verified on published 本位码)."""
    total = sum(int(d) * (3 if (len(first13) - i) % 2 else 1) for i, d in enumerate(first13))
    return (10 - total % 10) % 10


def standard_code_problem(code: str) -> str | None:
    if not code.isdigit():
        return gettext("药品本位码应全部为数字")
    if len(code) != 14:
        return gettext("药品本位码应为 14 位，当前为 %(count)s 位") % {"count": len(code)}
    if not code.startswith("86"):
        return gettext("药品本位码应以 86（国别码）开头")
    expected = standard_code_check_digit(code[:13])
    if int(code[13]) != expected:
        return gettext("药品本位码校验位错误：第 14 位应为 %(expected)s，实际为 %(code)s") % {
            "expected": expected,
            "code": code[13],
        }
    return None


def validate_standard_code(value) -> str:
    code = normalize_code(value)
    problem = standard_code_problem(code)
    if problem:
        raise ValidationError(problem, code=CatalogError.INVALID_STANDARD_CODE)
    return code


# --- approval numbers (批准文号 / 注册证编号) ------------------------------------------------------------

DRUG_APPROVAL = re.compile(r"^国药准字(?P<letter>HJ|SJ|ZJ|[HZSJTFB])\d{8}$")
IMPORT_LICENCE = re.compile(r"^(?P<letter>[HSZ])C?\d{8}$")
DEVICE_NATIONAL = re.compile(r"^国械注[准进许]\d{11}$")
DEVICE_PROVINCIAL = re.compile(r"^[\u4e00-\u9fff]械注准\d{11}$")
DEVICE_FILING = re.compile(r"^[\u4e00-\u9fff]{1,4}械备\d{8}号?$")
LOCAL_PREPARATION = re.compile(r"^[\u4e00-\u9fff]{1,2}药制(?:备)?字[A-Z]\d{8}$")

# Letters of 国药准字 a category may carry.
DRUG_LETTERS = {
    "chemical": {"H", "HJ", "J", "T", "F", "B"},
    "biological": {"S", "SJ", "J"},
    "chinese_patent": {"Z", "ZJ"},
    "mongolian_patent": {"Z"},
    "tcm_pieces": {"Z"},
    "mongolian_pieces": {"Z"},
}
OPTIONAL_APPROVAL = {"tcm_pieces", "mongolian_pieces"}


def approval_problem(value: str, *, category: str) -> str | None:
    """Why a (normalised) approval/registration number does not fit the category, or None."""
    if not value:
        if category in OPTIONAL_APPROVAL:
            return None
        kind = gettext("注册证编号或备案号") if category == "consumable" else gettext("批准文号")
        return gettext("%(label)s必须填写%(kind)s") % {"label": _category_label(category), "kind": kind}
    if category == "consumable":
        return _device_number_problem(value)
    if category == "hospital_preparation":
        if LOCAL_PREPARATION.match(value):
            return None
        return gettext(
            "医院制剂批准文号“%(value)s”格式不正确，应为 省简称 + 药制字 + 字母 + 8 位数字，如 蒙药制字M20150012"
        ) % {"value": value}
    if category in OPTIONAL_APPROVAL and LOCAL_PREPARATION.match(value):
        return None
    return _drug_number_problem(value, category=category)


def _device_number_problem(value: str) -> str | None:
    """A medical device's registration certificate (国械注准…, X械注准…) or filing number (X械备…)."""
    if DEVICE_NATIONAL.match(value) or DEVICE_PROVINCIAL.match(value) or DEVICE_FILING.match(value):
        return None
    return gettext(
        "医疗器械注册证编号“%(value)s”格式不正确，应为 国械注准/国械注进/国械注许 + 11 位数字、省级 X械注准 + 11 位数字，或备案号 X械备 + 8 位数字"
    ) % {"value": value}


def _drug_number_problem(value: str, *, category: str) -> str | None:
    """A drug's 国药准字 or import licence number, with the category letters the category allows."""
    label = _category_label(category)
    drug = DRUG_APPROVAL.match(value)
    if drug:
        letter = drug.group("letter")
        allowed = DRUG_LETTERS.get(category, set())
        if letter not in allowed:
            return gettext("%(label)s的批准文号类别字母应为 %(items)s，实际为 %(letter)s") % {
                "label": label,
                "items": "/".join(sorted(allowed)),
                "letter": letter,
            }
        return None
    imported = IMPORT_LICENCE.match(value)
    if imported and category in DRUG_LETTERS:
        letter = imported.group("letter")
        if letter not in DRUG_LETTERS[category]:
            return gettext("%(label)s的进口药品注册证类别字母应为 %(items)s，实际为 %(letter)s") % {
                "label": label,
                "items": "/".join(sorted(DRUG_LETTERS[category] & {"H", "S", "Z"})),
                "letter": letter,
            }
        return None
    if value.startswith("国药准字"):
        return gettext("批准文号“%(value)s”格式不正确，应为 国药准字 + 类别字母（H/Z/S/J/T/F/B）+ 8 位数字") % {
            "value": value
        }
    return gettext("批准文号“%(value)s”格式不正确，应为 国药准字 + 类别字母 + 8 位数字，或进口药品注册证号") % {
        "value": value
    }


# --- values already valid as they stand -----------------------------------------------------------------
# A code or approval number these match is its own normal form (ASCII capitals and digits; 国药准字 + capitals and ASCII
# digits: ``normalize_code`` returns it unchanged) and has no problem for the category (the national shapes above,
# narrowed to ASCII digits; the 国药准字 letters the category allows). ``validate_product_code`` and
# ``validate_approval_number`` return such a value as it is; ``catalog.rules.clean_product_columns`` skips them for it
# (``tests/catalog/test_codes.py`` holds the two to the same answer). Anything else takes the full check.
_NATIONAL_VALID = {
    "X": r"X[A-Z][0-9]{2}[A-Z]{2}[A-Z][0-9]{3}[A-Z0-9]{2}[0-9]{6}[0-9]{5}",
    "Z": r"Z[A-Z0-9]{14}[0-9]{5}",
    "T": r"T[0-9]{9}|T[A-Z0-9]{19}",
    "C": r"C[0-9]{19}(?:[0-9]{7})?",
}
VALID_CODE = {
    category: re.compile("|".join(_NATIONAL_VALID[s] for s in shapes if s in _NATIONAL_VALID)).fullmatch
    for category, shapes in ACCEPTED.items()
    if any(s in _NATIONAL_VALID for s in shapes)
}
"""Category → a test that a code is valid for it as it stands (no entry: every code takes the full check)."""
VALID_APPROVAL = {
    category: re.compile(f"国药准字(?:{'|'.join(sorted(letters, key=len, reverse=True))})[0-9]{{8}}").fullmatch
    for category, letters in DRUG_LETTERS.items()
}
"""Category → a test that an approval number is valid for it as it stands (the drugs' 国药准字 numbers)."""


def validate_approval_number(value, *, category: str) -> str:
    normalised = normalize_code(value)
    if normalised in ("无", "-"):
        normalised = ""
    problem = approval_problem(normalised, category=category)
    if problem:
        raise ValidationError(problem, code=CatalogError.INVALID_APPROVAL_NUMBER)
    return normalised
