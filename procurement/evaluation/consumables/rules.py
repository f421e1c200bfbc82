"""A consumable tender's selection rules (ConsumableRules) and the published rules of real batches (PRESETS).

Nothing here is a drug rule: no ¥0.10 floor, no strength ratio (差比价); a consumable is priced per unit or per
product system, as the lot says. Every number is the tender's own (stored with it); a preset is a starting point
copied into a tender, with the source of each number and the list of what the source did not say (``assumed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext

from .._values import _positive_int, _share, _to_bool, _to_decimal


class Grouping(StrEnum):
    NONE = "none"  # one competition per lot (竞价单元 = the lot)
    AB_BY_VOLUME = "ab_by_volume"  # groups A and B by the bidders' intended volume (意向采购量)


class RevivalPrice(StrEnum):
    HIGHEST_SELECTED = "highest_selected"  # the group's highest selected price


def _opt_decimal(value: Any, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    result = _to_decimal(value, name)
    if result <= 0:
        raise ValueError(gettext("%(name)s 须大于 0") % {"name": name})
    return result


@dataclass(frozen=True)
class ConsumableRules:
    """How a consumable tender selects its winners; each criterion is off when None.

    * ``ratio_to_lowest`` — eligible if price ≤ this × the lowest valid price of the group (竞价单元).
    * ``price_line`` — eligible if price < this, in yuan per unit or system (a fixed line; strictly below, as
      "低于" reads in the stent batch's document).
    * ``share_of_max`` — eligible if price ≤ this × the lot's max valid price (0.40: "打四折").
    * ``grouping`` — ``none`` or ``ab_by_volume``: bidders ranked by intended volume; those covering the first
      ``group_a_share`` of the cumulative volume, and qualified for A, form group A, topped up to ``group_a_min``
      from the qualified bidders in volume order; all others form group B. Each group competes separately.
    * ``b_capped_by_a`` — a group-B bid above group A's highest selected price is not eligible.
    * ``max_winners`` — at most this many winners per group (None: no cap).
    * ``revival`` (复活) — a valid bid that met no criterion is selected after all if its bidder declared it
      accepts ``revival_price`` (the group's highest selected price), at that price.
    * ``agreed_share`` — agreed volume (约定采购量) as a share of the volume hospitals reported.
    * ``preset`` — the key of the preset the rules came from ("" for rules written by hand).
    """

    preset: str = ""
    ratio_to_lowest: Decimal | None = Decimal("1.8")
    price_line: Decimal | None = None
    share_of_max: Decimal | None = None
    grouping: str = Grouping.NONE
    group_a_share: Decimal = Decimal("0.85")
    group_a_min: int = 7
    b_capped_by_a: bool = False
    max_winners: int | None = None
    revival: bool = False
    revival_price: str = RevivalPrice.HIGHEST_SELECTED
    agreed_share: Decimal = Decimal("0.80")

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise once, here
        if not isinstance(self.preset, str) or (self.preset and self.preset not in PRESETS):
            raise ValueError(gettext("未知的耗材批次规则“%(key)s”") % {"key": self.preset})
        ratio = _opt_decimal(self.ratio_to_lowest, "ratio_to_lowest")
        if ratio is not None and ratio < 1:
            raise ValueError(gettext("ratio_to_lowest（最低价倍数）%(ratio)s 不能小于 1") % {"ratio": ratio})
        set_(self, "ratio_to_lowest", ratio)
        set_(self, "price_line", _opt_decimal(self.price_line, "price_line"))
        share = _opt_decimal(self.share_of_max, "share_of_max")
        if share is not None and share > 1:
            raise ValueError(gettext("share_of_max（最高有效申报价的比例）须在 0 与 1 之间"))
        set_(self, "share_of_max", share)
        if self.grouping not in Grouping.__members__.values():
            raise ValueError(gettext("未知的分组方式“%(value)s”") % {"value": self.grouping})
        set_(self, "grouping", Grouping(self.grouping).value)
        set_(self, "group_a_share", _share(self.group_a_share))
        set_(self, "group_a_min", _positive_int(self.group_a_min, "group_a_min"))
        set_(self, "b_capped_by_a", _to_bool(self.b_capped_by_a, "b_capped_by_a"))
        if self.max_winners is not None:
            set_(self, "max_winners", _positive_int(self.max_winners, "max_winners"))
        set_(self, "revival", _to_bool(self.revival, "revival"))
        if self.revival_price not in RevivalPrice.__members__.values():
            raise ValueError(gettext("未知的复活价格“%(value)s”") % {"value": self.revival_price})
        set_(self, "revival_price", RevivalPrice(self.revival_price).value)
        set_(self, "agreed_share", _share(self.agreed_share))
        if not (ratio or self.price_line or self.share_of_max or self.revival):
            raise ValueError(gettext("至少应设置一项中选条件（最低价倍数、价格线、最高有效申报价比例或复活）"))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Decimal) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConsumableRules:
        """Read stored rules; a missing key takes its default; an unknown key is an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(gettext("未知的耗材评审规则项：%(items)s") % {"items": ", ".join(unknown)})
        return cls(**dict(data))

    @classmethod
    def from_preset(cls, key: str, **overrides) -> ConsumableRules:
        if key not in PRESETS:
            raise ValueError(gettext("未知的耗材批次规则“%(key)s”") % {"key": key})
        return cls(**{**PRESETS[key].rules, **overrides, "preset": key})


@dataclass(frozen=True)
class Preset:
    """A real batch's published rule: the numbers, where they are from, and what the source did not give."""

    label: str
    source: str
    rules: Mapping[str, Any]
    assumed: tuple[str, ...] = ()


PRESETS: dict[str, Preset] = {
    # 国家组织冠脉支架集中带量采购文件（GH-HD2020-1）, Tianjin Medical Procurement Centre, 2020-10:
    # "申报价 ≤ 最低产品申报价 1.8 倍，或申报价 > 最低产品申报价 1.8 倍但低于 2850 元" gives the right to be selected.
    "national_stent_2020": Preset(
        label="国家组织冠脉支架集中带量采购（GH-HD2020-1）",
        source=(
            "《国家组织冠脉支架集中带量采购文件（GH-HD2020-1）》拟中选资格：申报价≤最低产品申报价1.8倍，"
            "或高于1.8倍但低于2850元（郑州乐康医疗器械 2020-11-02 对文件的摘要，jnbiaoben.com；"
            "开标结果见 en.camdi.org/news/4962）"
        ),
        rules={"ratio_to_lowest": "1.8", "price_line": "2850", "grouping": Grouping.NONE},
        assumed=("agreed_share", "max_winners", "revival"),
    ),
    # 国家组织人工关节集中带量采购公告（第1号）, 2021-06-21: groups A/B per product system category.
    "national_joint_2021": Preset(
        label="国家组织人工关节集中带量采购（GH-HD2021-1）",
        source=(
            "《国家组织人工关节集中带量采购公告（第1号）》竞价单元：同一产品系统类别下，按申报企业意向采购量"
            "从多到少排序，取累计意向采购量前85%所涵盖、且承诺供应全部联盟地区并满足材质要求的企业进入A组，"
            "不足7家时按意向采购量依序递补至7家，其余进入B组（Insight 数据库 2021-06-22，db.dxy.cn/yyzx/1655799）；"
            "首年意向采购量为医疗机构需求量的90%（中国日报 2021-09-15）"
        ),
        rules={
            "grouping": Grouping.AB_BY_VOLUME,
            "group_a_share": "0.85",
            "group_a_min": 7,
            "agreed_share": "0.90",
            # The in-group selection thresholds were not found in the sources at hand: the drug batches' 1.8 ×
            # lowest is kept as an editable starting point and listed in ``assumed``.
            "ratio_to_lowest": "1.8",
        },
        assumed=("ratio_to_lowest", "b_capped_by_a", "max_winners", "revival"),
    ),
    # 国家组织骨科脊柱类耗材集中带量采购公告（第2号）, 2022-09-07: selected at ≤ 40 % of the max valid price.
    "national_spine_2022": Preset(
        label="国家组织骨科脊柱类耗材集中带量采购",
        source=(
            "《国家组织骨科脊柱类耗材集中带量采购公告（第2号）》新增“打四折（相比限价）即可中标”"
            "（医药研发网 phirda.com 2022-09-08）；意向采购量占总需求的90%（2022-09-27 开标报道）"
        ),
        rules={"share_of_max": "0.40", "agreed_share": "0.90", "ratio_to_lowest": None},
        assumed=("grouping", "max_winners", "revival"),
    ),
}
