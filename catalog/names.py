"""Names of products: pinyin for search, and traditional Mongolian script.

Pinyin comes from pypinyin with phrase overrides for herbal readings it gets wrong (重楼 is chóng lóu,
莪术 é zhú …). Overrides are loaded once at import into pypinyin's phrase dictionary, so every call sees them.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin, load_phrases_dict

# Readings of herbal and drug names that pypinyin's general dictionary gets wrong, or that protect a
# reading specific to materia medica. Syllables in pypinyin's TONE3-less form; ü written as "v".
HERBAL_READINGS: dict[str, str] = {
    "重楼": "chong lou",  # 七叶一枝花, not zhòng lóu
    "重楼解毒": "chong lou jie du",
    "莪术": "e zhu",  # not é shù
    "苍术": "cang zhu",
    "白术": "bai zhu",
    "藏红花": "zang hong hua",
    "蚤休": "zao xiu",
    "参三七": "shen san qi",
    "党参": "dang shen",
    "丹参": "dan shen",
    "人参": "ren shen",
    "沙参": "sha shen",
    "苦参": "ku shen",
    "玄参": "xuan shen",
    "太子参": "tai zi shen",
    "厚朴": "hou po",
    "朴硝": "po xiao",
    "蛤蚧": "ge jie",
    "荜茇": "bi ba",
    "茜草": "qian cao",
    "女贞子": "nv zhen zi",
    "血竭": "xue jie",
    "地黄": "di huang",
    "大黄": "da huang",
    "阿胶": "e jiao",
    "牛膝": "niu xi",
    "薏苡仁": "yi yi ren",
    "补骨脂": "bu gu zhi",
    "广藿香": "guang huo xiang",
    "扎冲": "zha chong",
    "那如": "na ru",
    "阿拉坦": "a la tan",
    "大枣": "da zao",
}


def _load_overrides() -> None:
    phrases = {phrase: [[syllable] for syllable in reading.split()] for phrase, reading in HERBAL_READINGS.items()}
    load_phrases_dict(phrases, style="default")


_load_overrides()

_KEEP = re.compile(r"[a-z0-9]")


def _syllables(name: str, style: Style) -> list[str]:
    text = unicodedata.normalize("NFKC", name or "").lower()
    result: list[str] = []
    for chunk in lazy_pinyin(text, style=style, errors=lambda rest: [c for c in rest], v_to_u=False):
        if len(chunk) == 1 and not ("a" <= chunk <= "z" or chunk.isdigit()):
            continue  # punctuation, spaces, symbols
        result.append(chunk)
    return result


def pinyin_full(name: str) -> str:
    """Full pinyin without tones or spaces: 复方丹参片 → fufangdanshenpian."""
    syllables = _syllables(name, Style.NORMAL)
    text = "".join(syllables)
    return "".join(ch for ch in text if _KEEP.match(ch))


def pinyin_initials(name: str) -> str:
    """First letters of each syllable: 复方丹参片 → ffdsp; Latin letters and digits are kept."""
    result = []
    for syllable in _syllables(name, Style.NORMAL):
        if syllable and _KEEP.match(syllable[0]):
            # A run of digits or Latin letters (e.g. "b12") counts whole.
            result.append(syllable if not syllable.isalpha() or len(syllable) == 1 else syllable[0])
    return "".join(result)


def search_keys(name: str) -> dict[str, str]:
    return {"pinyin": pinyin_full(name), "initials": pinyin_initials(name)}


# --- traditional Mongolian script ----------------------------------------------------------------

MONGOLIAN_BLOCK = (0x1800, 0x18AF)
ALLOWED_EXTRA = {" ", "\u202f"}  # space and the narrow no-break space used before suffixes
VARIATION_SELECTORS = range(0x180B, 0x1810)  # FVS1-3, MVS (U+180E) and FVS4 lie inside the block


def _describe(ch: str) -> str:
    code = ord(ch)
    if ch.isascii() and ch.isalpha():
        return _("拉丁字母")
    if 0x0400 <= code <= 0x04FF:
        return _("西里尔字母")
    if "\u4e00" <= ch <= "\u9fff":
        return _("汉字")
    if ch.isdigit():
        return _("数字")
    if ch.isspace():
        return _("空白字符")
    return _("非蒙古文字符")


_SPACES = re.compile(r" {2,}")


def normalize_mongolian(text: str | None) -> str:
    """Strip the ends and collapse runs of ordinary spaces; the characters themselves are kept as typed."""
    if not text:  # most products have no Mongolian name: an import checks one per row
        return ""
    return _SPACES.sub(" ", text.strip())


def mongolian_problem(text: str) -> str | None:
    if text == "":
        return None
    if not text.strip():
        return _("蒙古文名称不能只有空格")
    for position, ch in enumerate(text, start=1):
        code = ord(ch)
        if MONGOLIAN_BLOCK[0] <= code <= MONGOLIAN_BLOCK[1] or ch in ALLOWED_EXTRA:
            continue
        return _("蒙古文名称第 %(position)s 位包含%(value)s“%(ch)s”（U+%(code)s），只允许传统蒙古文字符") % {
            "position": position,
            "value": _describe(ch),
            "ch": ch,
            "code": f"{code:04X}",
        }
    if not any(
        MONGOLIAN_BLOCK[0] <= ord(ch) <= MONGOLIAN_BLOCK[1] and ord(ch) not in VARIATION_SELECTORS for ch in text
    ):
        return _("蒙古文名称应包含蒙古文字母")
    return None


def validate_mongolian(text: str) -> None:
    problem = mongolian_problem(text)
    if problem:
        raise ValidationError(problem, code="invalid_mongolian")
