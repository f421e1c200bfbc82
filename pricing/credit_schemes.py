"""The rating schemes of 医药价格和招采信用评价, as configuration.

A scheme names its levels (the codes are shared, the names are the scheme's own), the amount that makes a
bribery case reach each level, and what each level costs the company on the platform:

- `warning`: a warning shows on the company's products (一般 / 中等 under 2020, 失信 under 2025);
- `suspend`: "products" — the listings (and so the delivery) of the products involved are suspended;
  "all" — every listing of the company is suspended;
- `bar_bidding`: the company's bids in a tender are invalid at opening.

The 2020 rules (国家医保局《医药价格和招采信用评价的操作规范》) grade a single bribe by amount: ¥10k 一般,
¥100k 中等, ¥300k 严重, ¥2m 特别严重. The 2025 revision has three levels on cumulative amounts: ¥10k 失信,
¥500k 严重失信, ¥1m 特别严重失信. A platform that adopts other numbers changes this table only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import pgettext_lazy

# the levels' and schemes' names in the reader's language (they are the platform's vocabulary, not names); each in
# pgettext_lazy (context 信用评价), written out so that makemessages lists it
NAMES = {
    "一般": pgettext_lazy("信用评价", "一般"),
    "中等": pgettext_lazy("信用评价", "中等"),
    "严重": pgettext_lazy("信用评价", "严重"),
    "特别严重": pgettext_lazy("信用评价", "特别严重"),
    "失信": pgettext_lazy("信用评价", "失信"),
    "严重失信": pgettext_lazy("信用评价", "严重失信"),
    "特别严重失信": pgettext_lazy("信用评价", "特别严重失信"),
    "2020 年评级规则": pgettext_lazy("信用评价", "2020 年评级规则"),
    "2025 年修订规则": pgettext_lazy("信用评价", "2025 年修订规则"),
}


def _label(name: str) -> str:
    return str(NAMES.get(name, name))


@dataclass(frozen=True)
class LevelRule:
    code: str
    name: str
    threshold: Decimal  # bribery amount (single under 2020, cumulative under 2025) from which this level applies
    warning: bool = False
    suspend: str = ""  # "" | "products" | "all"
    bar_bidding: bool = False
    rank: int = 0

    @property
    def label(self) -> str:
        """The level's name in the reader's language (`name` is the stored Chinese one)."""
        return _label(self.name)


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    levels: tuple[LevelRule, ...]

    @property
    def label(self) -> str:
        return _label(self.name)

    def level(self, code: str) -> LevelRule | None:
        return next((rule for rule in self.levels if rule.code == code), None)

    def level_for_amount(self, amount: Decimal) -> LevelRule | None:
        """The highest level whose threshold the amount reaches (None below the lowest)."""
        reached = [rule for rule in self.levels if amount >= rule.threshold]
        return max(reached, key=lambda r: r.threshold) if reached else None


SCHEMES: dict[str, Scheme] = {
    "2020": Scheme(
        "2020",
        "2020 年评级规则",
        (
            LevelRule("general", "一般", Decimal("10000"), warning=True, rank=1),
            LevelRule("medium", "中等", Decimal("100000"), warning=True, rank=2),
            LevelRule("serious", "严重", Decimal("300000"), suspend="products", bar_bidding=True, rank=3),
            LevelRule("very_serious", "特别严重", Decimal("2000000"), suspend="all", bar_bidding=True, rank=4),
        ),
    ),
    "2025": Scheme(
        "2025",
        "2025 年修订规则",
        (
            LevelRule("general", "失信", Decimal("10000"), warning=True, rank=1),
            LevelRule("serious", "严重失信", Decimal("500000"), suspend="products", bar_bidding=True, rank=3),
            LevelRule("very_serious", "特别严重失信", Decimal("1000000"), suspend="all", bar_bidding=True, rank=4),
        ),
    ),
}


def scheme(code: str) -> Scheme | None:
    return SCHEMES.get(code)


def level_rule(scheme_code: str, level_code: str) -> LevelRule | None:
    found = SCHEMES.get(scheme_code)
    return found.level(level_code) if found else None


def level_name(scheme_code: str, level_code: str) -> str:
    rule = level_rule(scheme_code, level_code)
    return rule.label if rule else level_code
