"""Field rules of a catalog product, shared by the services (one product) and the imports (many rows).

`clean_product_fields` normalises what people type (full-width characters, stray spaces) and collects every
problem per field, so an import can report all of a row's errors at once and a service can raise the first.
"""

from __future__ import annotations

from functools import lru_cache, partial

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.errors import ValidationFailed
from common.numbers import fold_fullwidth, parse_int
from common.text import text_error

from .codes import (
    MONGOLIAN_CATEGORIES,
    VALID_APPROVAL,
    VALID_CODE,
    Category,
    normalize_code,
    validate_approval_number,
    validate_product_code,
    validate_standard_code,
)
from .names import normalize_mongolian, pinyin_full, pinyin_initials, validate_mongolian
from .udi import validate_udi_di

INSURANCE_CLASS_INPUTS = {
    "甲": "A",
    "甲类": "A",
    "A": "A",
    "a": "A",
    "乙": "B",
    "乙类": "B",
    "B": "B",
    "b": "B",
    "": "",
    "无": "",
    "非医保": "",
    "自费": "",
    "丙": "",
    "丙类": "",
}

# The largest pack size the column holds (PositiveIntegerField: a 32-bit integer).
PACK_SIZE_MAX = 2**31 - 1

CATEGORY_VALUES = frozenset(Category.values)  # Category.values builds a new list on every access

TEXT_LIMITS = {
    "generic_name": 200,
    "trade_name": 200,
    "registered_dosage_form": 100,
    "dosage_form": 100,
    "registered_specification": 300,
    "specification": 300,
    "packaging_material": 200,
    "min_unit": 20,
    "pack_unit": 20,
    "drug_enterprise": 200,
    "subpackager": 200,
    "marketing_authorization_holder": 200,
    "market_status": 50,
    "data_source": 100,
    "insurance_name": 200,
    "insurance_dosage_form": 100,
    "insurance_number": 50,
    "remarks": 500,
    "former_codes": 300,
    "name_en": 300,
    "consumable_class": 100,
    "original_approval_number": 100,
}


def to_halfwidth(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif ch == "\u3000":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def clean_text(value) -> str:
    """Strip, collapse inner runs of whitespace; treat the NHSA placeholder 无 as given (it is published)."""
    if value is None:
        return ""
    return " ".join(str(value).split())  # split() also splits on the ideographic space U+3000


def parse_pack_size(value) -> int:
    """最小包装数量: a positive whole number, parsed by common.numbers. Excel may hand over 24.0 (or text "24.0");
    text like '24片', fractions and numbers beyond the column are rejected."""
    if value.__class__ is str and value.isascii() and value.isdigit() and 0 < int(value) <= PACK_SIZE_MAX:
        return int(value)  # "24", as nearly every file has it: the checks below would come to the same
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("最小包装数量不能为空"))
    if isinstance(value, bool):
        raise ValueError(_("最小包装数量应为正整数"))
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(_("最小包装数量应为正整数，实际为 %(value)s") % {"value": f"{value:g}"})
        value = int(value)
    text = fold_fullwidth(value).strip().removesuffix(".0") if isinstance(value, str) else value
    label = _("最小包装数量")
    try:
        number = parse_int(text, field="pack_size", label=label, form=True)
    except ValidationFailed as exc:
        raise ValueError(_("最小包装数量应为正整数，实际为“%(value)s”") % {"value": value}) from exc
    if number <= 0:
        raise ValueError(_("最小包装数量应大于 0，实际为 %(number)s") % {"number": number})
    try:  # within the column: "最小包装数量超出允许范围（1 至 2147483647）"
        return parse_int(number, field="pack_size", label=label, min_value=1, max_value=PACK_SIZE_MAX)
    except ValidationFailed as exc:
        raise ValueError(exc.message) from exc


def parse_insurance_class(value) -> str:
    text = clean_text(value)
    if text not in INSURANCE_CLASS_INPUTS:
        raise ValueError(_("医保类别“%(text)s”无效，应为 甲、乙 或 无") % {"text": text})
    return INSURANCE_CLASS_INPUTS[text]


def clean_product_fields(data: dict) -> tuple[dict, dict[str, str]]:
    """Normalise and check one product's fields. Returns (cleaned fields, {field: message})."""
    cleaned = dict(data)
    errors: dict[str, str] = {}

    category = cleaned.get("category") or ""
    if category not in CATEGORY_VALUES:
        errors["category"] = _("类别“%(category)s”无效") % {"category": category}
        return cleaned, errors

    _clean_texts(cleaned, errors)
    _clean_codes(cleaned, errors, category)
    _clean_packaging(cleaned, errors)
    _clean_insurance(cleaned, errors, category)
    _clean_by_category(cleaned, errors, category)
    _check_date_ranges(cleaned, errors)
    if cleaned.get("generic_name"):
        cleaned["name_pinyin"], cleaned["name_initials"] = name_pinyin(cleaned["generic_name"])
    return cleaned, errors


def _clean_texts(cleaned: dict, errors: dict[str, str]) -> None:
    """Free text within its column, without control characters; the generic name is required."""
    for name, limit in TEXT_LIMITS.items():
        if name in cleaned:
            value = cleaned[name]
            text, problem = (
                _clean_limited(value, limit) if value.__class__ is str else _clean_limited.__wrapped__(value, limit)
            )
            cleaned[name] = text
            if problem:
                errors[name] = problem
    if not cleaned.get("generic_name"):
        errors["generic_name"] = _("通用名不能为空")


def _clean_codes(cleaned: dict, errors: dict[str, str], category: str) -> None:
    """The NHSA code, the approval number and the drug standard code, each in the shape its category needs."""
    try:
        cleaned["nhsa_code"] = validate_product_code(cleaned.get("nhsa_code") or "", category=category)
    except ValidationError as exc:
        errors["nhsa_code"] = exc.messages[0]

    try:
        cleaned["approval_number"] = validate_approval_number(cleaned.get("approval_number") or "", category=category)
    except ValidationError as exc:
        errors["approval_number"] = exc.messages[0]

    standard = normalize_code(cleaned.get("standard_code") or "")
    if standard in ("", "无"):
        cleaned["standard_code"] = ""
    else:
        try:
            cleaned["standard_code"] = validate_standard_code(standard)
        except ValidationError as exc:
            errors["standard_code"] = exc.messages[0]


def _clean_packaging(cleaned: dict, errors: dict[str, str]) -> None:
    """The pack size and the two units are required."""
    if "pack_size" in cleaned:
        try:
            cleaned["pack_size"] = parse_pack_size(cleaned["pack_size"])
        except ValueError as exc:
            errors["pack_size"] = str(exc)
    else:
        errors["pack_size"] = _("最小包装数量不能为空")

    for unit_field, label in (("min_unit", "最小制剂单位"), ("pack_unit", "最小包装单位")):
        if not cleaned.get(unit_field):
            errors[unit_field] = _("%(label)s不能为空") % {"label": label}


def _clean_insurance(cleaned: dict, errors: dict[str, str], category: str) -> None:
    """The insurance class (Mongolian medicines are class A) and the Mongolian name."""
    try:
        cleaned["insurance_class"] = parse_insurance_class(cleaned.get("insurance_class", ""))
    except ValueError as exc:
        errors["insurance_class"] = str(exc)

    mongolian = category in MONGOLIAN_CATEGORIES or bool(cleaned.get("mongolian_medicine"))
    cleaned["mongolian_medicine"] = mongolian
    if mongolian and "insurance_class" not in errors:
        if cleaned["insurance_class"] == "B":
            errors["insurance_class"] = _("蒙成药、蒙药饮片和蒙药医院制剂按甲类管理，不能为乙类")
        else:
            cleaned["insurance_class"] = "A"

    name_mn = normalize_mongolian(cleaned.get("name_mn") or "")
    try:
        validate_mongolian(name_mn)
        cleaned["name_mn"] = name_mn
    except ValidationError as exc:
        errors["name_mn"] = exc.messages[0]


def _clean_by_category(cleaned: dict, errors: dict[str, str], category: str) -> None:
    """Consumables' high-value class; a hospital preparation's preparing hospital."""
    if category == Category.CONSUMABLE:
        try:
            cleaned["udi_di"] = validate_udi_di(cleaned.get("udi_di") or "")
        except ValidationError as exc:
            errors["udi_di"] = exc.messages[0]
        if not cleaned.get("high_value"):
            cleaned["high_value_class"] = ""
        elif not cleaned.get("high_value_class"):
            errors["high_value_class"] = _("高值医用耗材必须填写高值耗材类别")
    else:
        cleaned["high_value"] = False
        cleaned["high_value_class"] = ""
        cleaned["consumable_class"] = ""
        cleaned["udi_di"] = ""  # drugs carry trace codes (TraceCode), not a UDI

    if (
        category == Category.HOSPITAL_PREPARATION
        and not cleaned.get("preparing_hospital")
        and not cleaned.get("preparing_hospital_id")
    ):
        errors["preparing_hospital"] = _("医院制剂必须填写配制医疗机构")


def _check_date_ranges(cleaned: dict, errors: dict[str, str]) -> None:
    for start, end, label in (
        ("insurance_from", "insurance_to", "医保目录"),
        ("negotiated_from", "negotiated_to", "谈判协议"),
    ):
        if cleaned.get(start) and cleaned.get(end) and cleaned[end] < cleaned[start]:
            errors[end] = _("%(label)s截止日期不能早于起始日期") % {"label": label}


@lru_cache(maxsize=65536)
def _clean_limited(value, limit: int) -> tuple[str, str | None]:
    """A text field cleaned, and what is wrong with it. Cached: the values of a file repeat (forms, units, makers,
    packaging), so each distinct one is cleaned and checked once."""
    text = clean_text(value)
    if len(text) > limit:
        return text, f"不能超过 {limit} 个字符"
    return text, text_error(text)


@lru_cache(maxsize=8192)
def name_pinyin(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a generic name. Cached: a catalog file repeats each generic name many times
    (one row per strength, pack and maker), and pinyin conversion is the dearest step of checking a row."""
    return pinyin_full(name)[:400], pinyin_initials(name)[:200]


# --- many products at once ----------------------------------------------------------------------------------------
# Fields whose rules span several fields in ways only the one-product path handles (date ranges); a batch that carries
# any of them is checked product by product.
_ROW_ONLY_FIELDS = frozenset({"insurance_from", "insurance_to", "negotiated_from", "negotiated_to"})


def clean_product_columns(columns: dict[str, list], category: str) -> tuple[dict[str, list], list[bool]] | None:
    """The rules of ``clean_product_fields`` applied column by column to products of one category given as columns
    (field → one value per product, every list as long): each distinct value of a column is cleaned and checked once,
    by the same steps. Returns the cleaned columns — for a product without a problem, exactly what
    ``clean_product_fields`` returns for it — and, per product, whether it has any problem; the messages of a product
    with a problem come from ``clean_product_fields`` (one product at a time: the wording and order of its reasons).
    None when these columns need the one-product path (a field whose rule spans fields, an invalid category)."""
    if category not in CATEGORY_VALUES or _ROW_ONLY_FIELDS.intersection(columns):
        return None
    batch = _Columns(columns, category)
    batch.texts()
    batch.codes()
    batch.packaging()
    batch.insurance()
    batch.by_category()
    batch.pinyin()
    return batch.out, batch.bad


class _Columns:
    """One batch of products as columns, cleaned step by step as ``clean_product_fields`` cleans one product."""

    def __init__(self, columns: dict[str, list], category: str):
        self.category = category
        self.size = size = len(next(iter(columns.values()), ()))
        self.bad = [False] * size
        self.out = dict(columns)
        self.blank = [""] * size
        self.none = [None] * size

    def column(self, name: str, default: list) -> list:
        return self.out.get(name) or default

    def mark(self, values, is_bad) -> None:
        bad = self.bad
        for i, value in enumerate(values):
            if is_bad(value):
                bad[i] = True

    def mapped(self, values, step, valid=None) -> list:
        """A column through one step, each distinct value once; a step's ValueError/ValidationError marks the rows.
        ``valid``: a test of a text the step would return as it is, without a problem (``codes.VALID_CODE``) —
        a column that passes it whole is returned at once, and a value that passes it skips the step."""
        plain = set(map(type, values)) <= {str}
        if valid is not None and plain:
            passed = list(map(valid, values))
            if all(passed):
                return list(values)
            values_as_is = {v for v, ok in zip(values, passed, strict=True) if ok}
            step = partial(_unless, values_as_is, step)
        keys = values if plain else [(v.__class__, v) for v in values]  # 1, 1.0 and True: equal, not the same input
        outcome: dict = {}
        failed = set()
        for key in dict.fromkeys(keys):
            value = key if plain else key[1]
            try:
                outcome[key] = step(value)
            except (ValueError, ValidationError):
                outcome[key] = value
                failed.add(key)
        if failed:
            self.mark(keys, failed.__contains__)
        return list(map(outcome.__getitem__, keys))

    def texts(self) -> None:
        out = self.out
        for name, limit in TEXT_LIMITS.items():
            if name in out:
                out[name] = self.mapped(out[name], partial(_text_step, limit=limit))
        self.mark(self.column("generic_name", self.none), _empty)

    def codes(self) -> None:
        out, category = self.out, self.category
        out["nhsa_code"] = self.mapped(
            [v or "" for v in self.column("nhsa_code", self.blank)],
            partial(validate_product_code, category=category),
            VALID_CODE.get(category),
        )
        out["approval_number"] = self.mapped(
            [v or "" for v in self.column("approval_number", self.blank)],
            partial(validate_approval_number, category=category),
            VALID_APPROVAL.get(category),
        )
        out["standard_code"] = self.mapped(self.column("standard_code", self.blank), _standard_step)

    def packaging(self) -> None:
        if "pack_size" in self.out:
            self.out["pack_size"] = self.mapped(self.out["pack_size"], parse_pack_size)
        else:
            self.bad[:] = [True] * self.size
        for unit_field in ("min_unit", "pack_unit"):
            self.mark(self.column(unit_field, self.blank), _empty)

    def insurance(self) -> None:
        out = self.out
        classes = self.mapped(out.get("insurance_class", self.blank), parse_insurance_class)
        always = self.category in MONGOLIAN_CATEGORIES
        mongolian = [always or bool(flag) for flag in self.column("mongolian_medicine", [False] * self.size)]
        out["mongolian_medicine"] = mongolian
        for i, is_mongolian in enumerate(mongolian):
            if is_mongolian:
                if classes[i] == "B":
                    self.bad[i] = True
                else:
                    classes[i] = "A"
        out["insurance_class"] = classes
        out["name_mn"] = self.mapped(out.get("name_mn", self.blank), _mongolian_step)

    def by_category(self) -> None:
        out = self.out
        if self.category == Category.CONSUMABLE:
            out["udi_di"] = self.mapped([v or "" for v in self.column("udi_di", self.blank)], validate_udi_di)
            high_value_class = self.column("high_value_class", self.none)
            classes = list(high_value_class)
            for i, flag in enumerate(self.column("high_value", self.none)):
                if not flag:
                    classes[i] = ""
                elif not high_value_class[i]:
                    self.bad[i] = True
            out["high_value_class"] = classes
        else:
            out["high_value"] = [False] * self.size
            out["high_value_class"] = out["consumable_class"] = out["udi_di"] = self.blank
        if self.category == Category.HOSPITAL_PREPARATION:
            hospitals = self.column("preparing_hospital", self.none)
            for i, hospital_id in enumerate(self.column("preparing_hospital_id", self.none)):
                if not hospitals[i] and not hospital_id:
                    self.bad[i] = True

    def pinyin(self) -> None:
        if "generic_name" not in self.out:
            return
        # An empty generic name is a problem (its row takes the one-product path): any pinyin will do.
        pinyin = [name_pinyin(name) if name else ("", "") for name in self.out["generic_name"]]
        self.out["name_pinyin"] = [p[0] for p in pinyin]
        self.out["name_initials"] = [p[1] for p in pinyin]


def _unless(as_is: set, step, value):
    return value if value in as_is else step(value)


def _empty(value) -> bool:
    return not value


def _text_step(value, *, limit: int) -> str:
    text, problem = _clean_limited(value, limit) if value.__class__ is str else _clean_limited.__wrapped__(value, limit)
    if problem:
        raise ValueError(problem)
    return text


def _standard_step(value) -> str:
    standard = normalize_code(value or "")
    return "" if standard in ("", "无") else validate_standard_code(standard)


def _mongolian_step(value) -> str:
    name_mn = normalize_mongolian(value or "")
    validate_mongolian(name_mn)
    return name_mn
