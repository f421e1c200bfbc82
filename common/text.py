"""Checks on free text that every import and form shares."""

from __future__ import annotations

import unicodedata


def control_character_error(text: str) -> str | None:
    """A message naming the first control character (NUL, escape, …) in `text`, or None when there is none.

    Such characters are invisible, break exports and are refused by PostgreSQL (NUL), so text fields refuse them.
    """
    for position, ch in enumerate(text, start=1):
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r":
            return f"第 {position} 个字符是不可见的控制字符（U+{ord(ch):04X}），请删除"
    return None
