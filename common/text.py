"""Checks on free text that every import and form shares."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # category Cc, less tab, newline, return


def control_character_error(text: str) -> str | None:
    """A message naming the first control character (NUL, escape, …) in `text`, or None when there is none.

    Such characters are invisible, break exports and are refused by PostgreSQL (NUL), so text fields refuse them.
    """
    if _CONTROL.search(text) is None:  # the usual case, without a Python loop over the characters
        return None
    for position, ch in enumerate(text, start=1):
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r":
            return _("第 %(position)s 个字符是不可见的控制字符（U+%(value)s），请删除") % {"position": position, "value": f'{ord(ch):04X}'}
    return None
