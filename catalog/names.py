"""Names: pinyin and traditional Mongolian (interim)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from pypinyin import Style, lazy_pinyin


def pinyin_full(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.NORMAL, errors=lambda x: list(x.lower()))).lower()


def pinyin_initials(name: str) -> str:
    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda x: list(x.lower())) if p)


def normalize_mongolian(text: str) -> str:
    return " ".join((text or "").split(" ")).strip()


def validate_mongolian(text: str) -> None:
    for ch in text:
        if not (0x1800 <= ord(ch) <= 0x18AF or ch in " \u202f"):
            raise ValidationError(f"蒙古文名称包含非蒙古文字符“{ch}”(U+{ord(ch):04X})")
