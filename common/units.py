"""The units of measure products are counted in (最小使用单位, 包装单位), stored as the Chinese word the catalog uses,
shown in the reader's language: `unit_label("片", 20000)` is "tablets" in English. A unit not listed is shown as
stored (it is the catalog's data)."""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language, npgettext

# each unit in npgettext (context 计量单位, the same Chinese word for one and many), so makemessages lists it
UNITS = {
    "片": lambda n: npgettext("计量单位", "片", "片", n),
    "盒": lambda n: npgettext("计量单位", "盒", "盒", n),
    "袋": lambda n: npgettext("计量单位", "袋", "袋", n),
    "丸": lambda n: npgettext("计量单位", "丸", "丸", n),
    "支": lambda n: npgettext("计量单位", "支", "支", n),
    "瓶": lambda n: npgettext("计量单位", "瓶", "瓶", n),
    "粒": lambda n: npgettext("计量单位", "粒", "粒", n),
    "套": lambda n: npgettext("计量单位", "套", "套", n),
    "包": lambda n: npgettext("计量单位", "包", "包", n),
    "箱": lambda n: npgettext("计量单位", "箱", "箱", n),
    "个": lambda n: npgettext("计量单位", "个", "个", n),
    "只": lambda n: npgettext("计量单位", "只", "只", n),
    "台": lambda n: npgettext("计量单位", "台", "台", n),
    "块": lambda n: npgettext("计量单位", "块", "块", n),
    "根": lambda n: npgettext("计量单位", "根", "根", n),
    "贴": lambda n: npgettext("计量单位", "贴", "贴", n),
    "剂": lambda n: npgettext("计量单位", "剂", "剂", n),
}


def unit_label(unit, count=1) -> str:
    """The unit in the active language, in its form for `count` (one or many)."""
    word = str(unit or "")
    render = UNITS.get(word)
    if render is None:
        return word
    try:
        n = int(count)
    except (TypeError, ValueError):
        n = 2
    return _rendered(get_language(), word, n)


@lru_cache(maxsize=4096)
def _rendered(language: str | None, word: str, n: int) -> str:
    """One unit's word in `language` (the active one, named for the cache) for the count: an order's answer names
    two units per line, and the translation's plural lookup cost more than the rest of the line's identity."""
    return UNITS[word](n)
