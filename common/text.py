"""Checks on free text that every import and form shares."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from .errors import CommonError, ValidationFailed

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # category Cc, less tab, newline, return


def control_character_error(text: str) -> str | None:
    """A message naming the first control character (NUL, escape, …) in `text`, or None when there is none.

    Such characters are invisible, break exports and are refused by PostgreSQL (NUL), so text fields refuse them.
    """
    if _CONTROL.search(text) is None:  # the usual case, without a Python loop over the characters
        return None
    for position, ch in enumerate(text, start=1):
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r":
            return _("第 %(position)s 个字符是不可见的控制字符（U+%(value)s），请删除") % {
                "position": position,
                "value": f"{ord(ch):04X}",
            }
    return None


# Bidirectional embedding, override and isolate controls: they reorder what a reader sees (a name that displays as
# something else, "Trojan Source"), and no name or remark needs them. Everything else stays — notably what scripts
# need: the Mongolian free variation selectors and vowel separator (U+180B–U+180F), ZWNJ/ZWJ (U+200C/U+200D) and
# the narrow no-break space (U+202F) of traditional Mongolian, which the demo's names contain.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def bidi_control_error(text: str) -> str | None:
    """A message naming the first bidirectional control character in `text`, or None."""
    found = _BIDI.search(text)
    if found is None:
        return None
    return _("第 %(position)s 个字符是双向文本控制字符（U+%(value)s），会改变文字的显示顺序，请删除") % {
        "position": found.start() + 1,
        "value": f"{ord(found.group()):04X}",
    }


def text_error(text: str, *, max_length: int | None = None) -> str | None:
    """What is wrong with a name or remark people typed or imported, or None: too long (never cut silently),
    an invisible control character, a bidirectional control character."""
    if max_length is not None and len(text) > max_length:
        return _("不能超过 %(limit)s 个字符（收到 %(length)s 个）") % {"limit": max_length, "length": len(text)}
    return control_character_error(text) or bidi_control_error(text)


def check_text(text: str, *, field: str | None, label=None, max_length: int | None = None) -> str:
    """`text` unchanged when `text_error` finds nothing; else ValidationFailed naming the field (and the limit)."""
    problem = text_error(text, max_length=max_length)
    if problem is not None:
        code = (
            CommonError.TOO_LONG if max_length is not None and len(text) > max_length else CommonError.INVALID_CHARACTER
        )
        raise ValidationFailed(f"{label or field}：{problem}" if (label or field) else problem, field=field, code=code)
    return text
