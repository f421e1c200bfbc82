"""The columns of a national or alliance batch's published tables, with the aliases the platforms use.

Two files make a batch: the **lot list** (采购品种目录, from the batch's procurement document: each lot's number,
generic name, dosage form, reference specification and 最高有效申报价) and the **results table** (中选结果表: lot,
generic name, specification and pack, winner, price, supply provinces). The layouts of the published tables could
not be retrieved from a primary source here (docs/national-batches.md says so); the headers below are those the
national (国家组织药品集中采购) and alliance result tables commonly use, and every alias is accepted. A header is matched
after removing spaces and a trailing unit in brackets (中选价格（元） → 中选价格).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from common.errors import CommonError, ValidationFailed

# canonical column → accepted headers (the canonical first)
LOT_COLUMNS: dict[str, tuple[str, ...]] = {
    "lot": ("品种序号", "品种编号", "序号"),
    "generic_name": ("药品通用名", "品种名称", "通用名", "药品名称"),
    "dosage_form": ("剂型",),
    "specification": ("参比规格", "规格"),
    "unit": ("计价单位", "最小制剂单位"),
    "max_price": ("最高有效申报价", "最高有效申报单价", "最高申报价"),
}
LOT_REQUIRED = ("lot", "generic_name", "max_price")

RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "lot": ("品种序号", "品种编号"),
    "generic_name": ("药品通用名", "品种名称", "通用名", "药品名称"),
    "dosage_form": ("剂型",),
    "specification": ("规格", "规格包装", "规格/包装"),
    "pack": ("包装", "包装规格"),
    "winner": ("企业名称", "中选企业", "拟中选企业", "申报企业", "生产企业"),
    "product_code": ("产品医保代码", "医保代码", "药品代码"),
    "pack_price": ("中选价格", "拟中选价格", "中选价", "包装中选价", "中选价格（元/包装）"),
    "unit_price": ("单位中选价", "最小制剂单位中选价", "中选单价", "单位价格"),
    "comparison_price": ("单位可比价",),
    "provinces": ("供应省份", "首选供应省份", "供应地区"),
}
RESULT_REQUIRED = ("lot", "winner", "provinces")

_BRACKET = re.compile(r"[（(][^）)]*[）)]$")
PROVINCE_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def normalise(header) -> str:
    text = re.sub(r"\s+", "", str(header or ""))
    return _BRACKET.sub("", text) if _BRACKET.sub("", text) else text


def column_map(headers: list[str], columns: dict[str, tuple[str, ...]], required: tuple[str, ...], *, which: str):
    """canonical column → the file's header, from the aliases; a 400 naming the missing columns (and the file)."""
    found: dict[str, str] = {}
    plain = {normalise(h): h for h in headers if h}
    exact = {str(h).strip(): h for h in headers if h}
    for name, aliases in columns.items():
        for alias in aliases:
            header = exact.get(alias) or plain.get(normalise(alias))
            if header is not None:
                found[name] = header
                break
    missing = [columns[name][0] for name in required if name not in found]
    if missing:
        raise ValidationFailed(
            _("%(which)s缺少必需的列：%(items)s（可用的列名见说明）") % {"which": which, "items": "、".join(missing)},
            field="lots_file" if which == _("采购品种目录") else "file",
            code=CommonError.MISSING_COLUMNS,
        )
    return found


def text(value) -> str:
    if value is None:
        return ""
    out = str(value).strip()
    return out[:-2] if out.endswith(".0") and out[:-2].isdigit() else out


def provinces(value) -> list[str]:
    return [p for p in PROVINCE_SEPARATORS.split(text(value)) if p]


def supplies_province(names: list[str], province_names: tuple[str, ...]) -> bool:
    """Whether a row's supply provinces include this province (内蒙古 and 内蒙古自治区 are the same province)."""
    return any(n == p or n.startswith(p) or p.startswith(n) for n in names for p in province_names if len(n) >= 2)


_PACK = re.compile(r"[*×x](\d+)")


def pack_counts(spec: str) -> set[int]:
    """The pack counts a 规格包装 text names (20mg*24片 → {24}; 0.5g×12片×2板 → {12, 2})."""
    return {int(n) for n in _PACK.findall(spec)}
