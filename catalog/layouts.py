"""The three file layouts of the catalog: the official NHSA drug code workbook and the platform's two templates.

A layout says which column fills which product field, how a cell is read (``read_row``) and how a product is
written back (``render``), so that exporting a search result and importing the file again changes nothing.
Reading only turns cells into field values and checks what belongs to the layout (the category of an NHSA row,
the 是/否 flags, the high-value class label); the product rules themselves (codes, names, pack size, insurance
class, Mongolian medicine) are checked once, for every layout, by ``catalog.rules.clean_product_fields``.

A layout updates only the fields it carries: importing the NHSA workbook does not clear the shortage flag or the
Mongolian name the platform keeps for a product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from .codes import Category, normalize_code
from .models import HighValueClass, ImportJob, InsuranceClass
from .rules import clean_text, to_halfwidth

# Kinds of cell. "text" is stored as cleaned text; the others are parsed.
TEXT, PACK_SIZE, FLAG, INSURANCE, CATEGORY, HIGH_VALUE_CLASS, ORGANIZATION = (
    "text",
    "pack_size",
    "flag",
    "insurance",
    "category",
    "high_value_class",
    "organization",
)

DRUG_CATEGORIES = frozenset(c for c in Category.values if c != Category.CONSUMABLE)
NONE_WORD = "无"  # the NHSA workbook publishes 无 for "none"
TRUE_WORDS = frozenset({"是", "Y", "YES", "TRUE", "1", "√"})
FALSE_WORDS = frozenset({"否", "N", "NO", "FALSE", "0", "", NONE_WORD})


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: looked up once per cell
class Column:
    header: str
    field: str  # a Product field, or "manufacturer" / "preparing_hospital" (an organisation by name)
    kind: str = TEXT
    required: bool = False  # the header must be in the file
    none_word: bool = False  # 无 in this column means "none"; an empty value is written back as 无
    aliases: tuple[str, ...] = ()
    pattern: str = ""  # a regular expression for headers that carry a year, e.g. 2025版甲乙类

    @cached_property  # read for every cell of every row
    def plain(self) -> bool:
        """Text taken as it stands; clean_product_fields tidies the whitespace of every text field."""
        return self.kind == TEXT and not self.none_word

    @cached_property
    def none_text(self) -> bool:
        """Text in which 无 means none: read without going through ``read_cell``."""
        return self.kind == TEXT and self.none_word

    def matches(self, header: str) -> bool:
        if header == self.header or header in self.aliases:
            return True
        return bool(self.pattern) and re.fullmatch(self.pattern, header) is not None


def _zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def cell_text(value) -> str:
    """A cell as text: Excel hands over numbers for codes typed as numbers (86900483000019, 24.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(value)


def parse_flag(value, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = to_halfwidth(cell_text(value)).upper()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("%(label)s“%(value)s”无效，应为 是 或 否") % {"label": label, "value": cell_text(value)})


# Text cells read by ``Layout.read_cell`` (column, text → value), kept across rows and files; bounded.
READ_CELLS_MAX = 65536
_READ_CELLS: dict[tuple[Column, str], object] = {}
_UNREAD = object()


class Layout:
    """Columns plus the rules that belong to the file format rather than to the product."""

    key: str = ""
    sheet_name: str = ""  # the sheet read from a workbook with several sheets, and written on export
    categories: frozenset[str] = frozenset()  # what this layout can carry (exports are limited to them)
    columns: tuple[Column, ...] = ()

    @property
    def label(self) -> str:
        return ImportJob.Layout(self.key).label

    @cached_property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @cached_property
    def required_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.required]

    @cached_property
    def field_labels(self) -> dict[str, str]:
        """Product field → the header users see, to name the field in an error message."""
        labels = {c.field: c.header for c in self.columns}
        labels.setdefault("nhsa_code", self.columns[0].header)
        return labels

    @cached_property
    def fields(self) -> frozenset[str]:
        return frozenset(c.field for c in self.columns)

    def match_headers(self, headers: list[str]) -> tuple[dict[Column, int], list[str]]:
        """Which file column holds each layout column; and the required headers that are missing."""
        positions: dict[Column, int] = {}
        for index, header in enumerate(headers):
            for column in self.columns:
                if column not in positions and column.matches(header):
                    positions[column] = index
                    break
        missing = [c.header for c in self.columns if c.required and c not in positions]
        return positions, missing

    # --- import -------------------------------------------------------------------------------
    def read_row(self, cells: dict[Column, object]) -> tuple[dict, dict[str, str]]:
        """Cells of one row → (field values, {field: message}). Columns absent from the file are left out."""
        data: dict = {}
        errors: dict[str, str] = {}
        for column, raw in cells.items():
            if column.plain:  # most columns: keep the hot path short
                data[column.field] = raw if raw.__class__ is str else cell_text(raw)
                continue
            if column.none_text and raw.__class__ is str:  # what read_cell does with such a cell, inline
                data[column.field] = "" if raw == NONE_WORD else raw
                continue
            if raw.__class__ is str:  # the values of such columns repeat (makers, 甲/乙/无): each read once
                value = _READ_CELLS.get((column, raw), _UNREAD)
                if value is _UNREAD:
                    try:
                        value = self.read_cell(column, raw)
                    except ValueError as exc:  # not kept: the message is in the language of the import
                        errors[column.field] = str(exc)
                        continue
                    if len(_READ_CELLS) >= READ_CELLS_MAX:
                        _READ_CELLS.clear()
                    _READ_CELLS[column, raw] = value
                data[column.field] = value
                continue
            try:
                value = self.read_cell(column, raw)
            except ValueError as exc:
                errors[column.field] = str(exc)
                continue
            data[column.field] = value
        if "nhsa_code" in data:
            data["nhsa_code"] = normalize_code(data["nhsa_code"])
        if not errors.get("category"):
            try:
                data["category"] = self.category_of(data)
            except ValueError as exc:
                errors["category"] = str(exc)
        self.check_row(data, errors)
        return data, errors

    def read_cell(self, column: Column, raw):
        if column.kind == PACK_SIZE:
            return raw  # parsed, with its messages, by clean_product_fields
        if column.kind == FLAG:
            return parse_flag(raw, column.header)
        text = raw if raw.__class__ is str and column.kind != ORGANIZATION else cell_text(raw)
        if column.none_word and text == NONE_WORD:
            text = ""
        if column.kind == INSURANCE:
            return text  # 甲/乙/无 are checked by clean_product_fields
        if column.kind == CATEGORY:
            return _choice(text, Category.choices, column.header)
        if column.kind == HIGH_VALUE_CLASS:
            return _choice(text, HighValueClass.choices, column.header) if text else ""
        if column.kind == ORGANIZATION and len(text) > 200:
            raise ValueError(_("%(header)s不能超过 200 个字符") % {"header": column.header})
        return text

    def category_of(self, data: dict) -> str:
        raise NotImplementedError

    def check_row(self, data: dict, errors: dict[str, str]) -> None:
        """Rules of the file format that span several cells."""

    def settle_category(self, category: str, existing_category: str | None) -> str:
        """The category to keep when the row updates an existing product (see NhsaLayout)."""
        return category

    # --- export -------------------------------------------------------------------------------
    def exportable(self, queryset):
        """The products this layout can carry, so that its file imports back."""
        return queryset.filter(category__in=sorted(self.categories))

    def render(self, product) -> list:
        return [self.render_cell(c, product) for c in self.columns]

    def render_cell(self, column: Column, product):
        if column.kind == ORGANIZATION:
            org = getattr(product, column.field)
            return org.name if org is not None else ""
        value = getattr(product, column.field)
        if column.kind == PACK_SIZE:
            return value
        if column.kind == FLAG:
            return "是" if value else "否"
        if column.kind == INSURANCE:
            return _zh(InsuranceClass(value).label)[:1] if value else NONE_WORD
        if column.kind in (CATEGORY, HIGH_VALUE_CLASS):
            choices = Category.choices if column.kind == CATEGORY else HighValueClass.choices
            return _zh(dict(choices).get(value, value)) if value else ""
        if column.none_word and not value:
            return NONE_WORD
        return value or ""


def _choice(text: str, choices, label: str) -> str:
    """A choice given by its Chinese label (or its code, as the export of another tool may write it)."""
    by_label = {_zh(name): code for code, name in choices}
    if text in by_label:
        return by_label[text]
    if text in dict(choices):
        return text
    allowed = "、".join(by_label)
    if not text:
        raise ValueError(_("%(label)s不能为空，可选：%(allowed)s") % {"label": label, "allowed": allowed})
    raise ValueError(
        _("%(label)s“%(text)s”无效，可选：%(allowed)s") % {"label": label, "text": text, "allowed": allowed}
    )


class NhsaLayout(Layout):
    """医保药品分类与代码数据库, sheet 总表, with the official 26 headers."""

    key = ImportJob.Layout.NHSA.value
    sheet_name = "总表"
    categories = frozenset(
        {
            Category.CHEMICAL,
            Category.BIOLOGICAL,
            Category.CHINESE_PATENT,
            Category.TCM_PIECES,
            Category.MONGOLIAN_PATENT,
            Category.MONGOLIAN_PIECES,
        }
    )
    columns = (
        Column("药品代码", "nhsa_code", required=True),
        Column("数据来源", "data_source", required=True),
        Column("注册名称", "generic_name", required=True),
        Column("商品名称", "trade_name", required=True, none_word=True),
        Column("注册剂型", "registered_dosage_form", required=True),
        Column("剂型", "dosage_form", required=True),
        Column("注册规格", "registered_specification", required=True),
        Column("规格", "specification", required=True),
        Column("包装材质", "packaging_material", required=True),
        Column("最小包装数量", "pack_size", PACK_SIZE, required=True),
        Column("最小制剂单位", "min_unit", required=True),
        Column("最小包装单位", "pack_unit", required=True),
        Column("药品企业", "drug_enterprise", required=True),
        Column("分包装企业名称", "subpackager", required=True),
        Column("生产企业", "manufacturer", ORGANIZATION, required=True),
        Column("批准文号", "approval_number", required=True),
        Column("原批准文号", "original_approval_number", required=True),
        Column("药品本位码", "standard_code", required=True, none_word=True),
        Column("上市药品持有人", "marketing_authorization_holder", required=True),
        Column("市场状态", "market_status", required=True),
        Column("医保药品名称", "insurance_name", required=True, none_word=True),
        # The header names the catalog year; next year's workbook says 2026版甲乙类.
        Column("2025版甲乙类", "insurance_class", INSURANCE, required=True, none_word=True, pattern=r"\d{4}版甲乙类"),
        Column("医保剂型", "insurance_dosage_form", required=True, none_word=True),
        Column("编号", "insurance_number", required=True, none_word=True),
        Column("备注", "remarks", required=True, none_word=True),
        Column("曾用码", "former_codes", required=True),
    )

    # The national code says 中成药 / 中药饮片 / 西药; the platform may know more (蒙成药, 蒙药饮片, 生物制品)
    # and a national file never takes that back.
    REFINEMENTS = {
        Category.CHINESE_PATENT: {Category.MONGOLIAN_PATENT},
        Category.TCM_PIECES: {Category.MONGOLIAN_PIECES},
        Category.CHEMICAL: {Category.BIOLOGICAL},
    }

    def category_of(self, data: dict) -> str:
        code = data.get("nhsa_code", "")
        prefix = code[:1]
        if prefix == "X":
            # 国药准字S… is a biological product; H (chemical), J (imported, packed here) and the rest are not.
            approval = data.get("approval_number", "")
            head = approval[:5] if approval.__class__ is str else None
            if head is None or head.split() != [head]:  # else its first 5 characters are the cleaned text's
                approval = cell_text(approval)
            letter = approval[4:5].upper() if approval.startswith("国药准字") else ""
            return Category.BIOLOGICAL.value if letter in ("S", "Ｓ") else Category.CHEMICAL.value
        if prefix == "Z":
            return Category.CHINESE_PATENT.value
        if prefix == "T":
            return Category.TCM_PIECES.value
        if not code:
            raise ValueError(_("药品代码不能为空"))
        raise ValueError(_("药品代码“%(code)s”应以 X（西药）、Z（中成药）或 T（中药饮片）开头") % {"code": code})

    def exportable(self, queryset):
        # Only national codes: a product known by a provincial code (NM…) is not in the national file.
        national = Q(nhsa_code__startswith="X") | Q(nhsa_code__startswith="Z") | Q(nhsa_code__startswith="T")
        return super().exportable(queryset).filter(national)

    def settle_category(self, category: str, existing_category: str | None) -> str:
        if existing_category and existing_category in self.REFINEMENTS.get(category, ()):
            return existing_category
        return category

    def check_row(self, data: dict, errors: dict[str, str]) -> None:
        if "category" in errors and "nhsa_code" not in errors:
            errors["nhsa_code"] = errors.pop("category")


class PlatformLayout(Layout):
    """The platform's drug template: 蒙药, 中药饮片 and 医院制剂 (any drug category), with the Mongolian name."""

    key = ImportJob.Layout.PLATFORM.value
    sheet_name = "药品"
    categories = DRUG_CATEGORIES
    columns = (
        Column("类别", "category", CATEGORY, required=True),
        Column("医保代码", "nhsa_code", required=True, aliases=("药品代码",)),
        Column("通用名", "generic_name", required=True),
        Column("商品名", "trade_name"),
        Column("蒙古文名称", "name_mn"),
        Column("英文名称", "name_en"),
        Column("剂型", "dosage_form"),
        Column("规格", "specification"),
        Column("包装材质", "packaging_material"),
        Column("最小包装数量", "pack_size", PACK_SIZE, required=True),
        Column("最小制剂单位", "min_unit", required=True),
        Column("最小包装单位", "pack_unit", required=True),
        Column("生产企业", "manufacturer", ORGANIZATION, required=True),
        Column("配制医疗机构", "preparing_hospital", ORGANIZATION),
        Column("批准文号", "approval_number"),
        Column("药品本位码", "standard_code"),
        Column("医保类别", "insurance_class", INSURANCE),
        Column("蒙药", "mongolian_medicine", FLAG),
        Column("短缺药品", "shortage", FLAG),
        Column("一致性评价", "consistency_evaluated", FLAG),
        Column("备注", "remarks"),
    )

    def category_of(self, data: dict) -> str:
        category = data.get("category", "")
        if category not in DRUG_CATEGORIES:
            raise ValueError(
                _("类别“%(value)s”不能用药品模板导入，请使用医用耗材模板") % {"value": _zh(Category(category).label)}
            )
        return category

    def check_row(self, data: dict, errors: dict[str, str]) -> None:
        category = data.get("category")
        if data.get("preparing_hospital") and category and category != Category.HOSPITAL_PREPARATION:
            errors.setdefault("preparing_hospital", _("只有医院制剂填写配制医疗机构"))
        # The 蒙药 flag marks a hospital preparation as Mongolian; 蒙成药 and 蒙药饮片 are Mongolian by category.
        if (
            data.get("mongolian_medicine")
            and category
            and category
            not in (
                Category.HOSPITAL_PREPARATION,
                Category.MONGOLIAN_PATENT,
                Category.MONGOLIAN_PIECES,
            )
        ):
            errors.setdefault("mongolian_medicine", _("蒙药标记只用于医院制剂（蒙成药、蒙药饮片按类别即为蒙药）"))


class ConsumablesLayout(Layout):
    """The platform's template for medical consumables."""

    key = ImportJob.Layout.CONSUMABLES.value
    sheet_name = "耗材"
    categories = frozenset({Category.CONSUMABLE})
    columns = (
        Column("医保代码", "nhsa_code", required=True, aliases=("耗材代码",)),
        Column("耗材名称", "generic_name", required=True, aliases=("通用名",)),
        Column("商品名", "trade_name"),
        Column("耗材分类", "consumable_class"),
        Column("高值耗材", "high_value", FLAG),
        Column("高值耗材类别", "high_value_class", HIGH_VALUE_CLASS),
        Column("规格型号", "specification"),
        Column("包装材质", "packaging_material"),
        Column("最小包装数量", "pack_size", PACK_SIZE, required=True),
        Column("最小使用单位", "min_unit", required=True, aliases=("最小制剂单位",)),
        Column("最小包装单位", "pack_unit", required=True),
        Column("生产企业", "manufacturer", ORGANIZATION, required=True),
        Column("注册证编号", "approval_number"),
        Column("UDI-DI", "udi_di", aliases=("产品标识", "UDI")),
        Column("医保类别", "insurance_class", INSURANCE),
        Column("备注", "remarks"),
    )

    def category_of(self, data: dict) -> str:
        return Category.CONSUMABLE

    def check_row(self, data: dict, errors: dict[str, str]) -> None:
        if data.get("high_value_class") and not data.get("high_value"):
            errors.setdefault("high_value_class", _("只有高值耗材（高值耗材为“是”）填写高值耗材类别"))


LAYOUTS: dict[str, Layout] = {layout.key: layout for layout in (NhsaLayout(), PlatformLayout(), ConsumablesLayout())}


def get_layout(key: str) -> Layout:
    try:
        return LAYOUTS[key]
    except KeyError:
        raise ValueError(
            _("未知的模板“%(key)s”，可选：%(items)s") % {"key": key, "items": "、".join(LAYOUTS)}
        ) from None


def layout_choices() -> list[tuple[str, str]]:
    return [(key, layout.label) for key, layout in LAYOUTS.items()]
