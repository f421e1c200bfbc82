"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from the set 0-9 and A-Z without I, O, Z, S, V:
  position 1   registration authority (登记管理部门码)
  position 2   organisation category (机构类别码)
  positions 3-8  administrative division code (登记管理机关行政区划码), digits
  positions 9-17 organisation code (主体标识码, GB 11714)
  position 18  check character: weights 3^i mod 31 for positions 1-17,
               check = (31 - Σ(value × weight) mod 31) mod 31
"""

from __future__ import annotations

import random

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from .errors import AccountsError

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
LENGTH = 18


def check_character(first17: str) -> str:
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def uscc_problem(value: object) -> str | None:
    """Why `value` is not a valid USCC, or None when it is. Messages are for people."""
    if not isinstance(value, str) or value == "":
        return gettext("统一社会信用代码不能为空")
    if any(0xFF01 <= ord(c) <= 0xFF5E or c == "\u3000" for c in value):
        return gettext("统一社会信用代码含有全角字符，请使用半角字母和数字")
    if value != value.strip() or " " in value:
        return gettext("统一社会信用代码不能包含空格")
    if len(value) != LENGTH:
        return gettext("统一社会信用代码应为 %(LENGTH)s 位，当前为 %(count)s 位") % {
            "LENGTH": LENGTH,
            "count": len(value),
        }
    if any(c.isascii() and c.islower() for c in value):
        return gettext("统一社会信用代码中的字母必须大写")
    for position, c in enumerate(value, start=1):
        if c not in VALUES:
            return gettext(
                "统一社会信用代码第 %(position)s 位“%(c)s”不是允许的字符（0-9 及除 I、O、Z、S、V 外的大写字母）"
            ) % {"position": position, "c": c}
    if not value[2:8].isdigit():
        return gettext("统一社会信用代码第 3-8 位应为行政区划代码（6 位数字）")
    expected = check_character(value[:17])
    if value[17] != expected:
        return gettext("统一社会信用代码校验位错误：第 18 位应为“%(expected)s”，实际为“%(value)s”") % {
            "expected": expected,
            "value": value[17],
        }
    return None


def validate_uscc(value: str) -> None:
    """Django field validator."""
    problem = uscc_problem(value)
    if problem:
        raise ValidationError(problem, code=AccountsError.INVALID_USCC)


def _org_code_check(first8: str) -> str:
    # GB 11714 check character of the 9-character organisation code inside a USCC.
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c, 36) * w for c, w in zip(first8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, *, division_code: str, authority: str = "9", category: str = "1") -> str:
    """A well-formed USCC for demo and test data (random organisation code, correct check characters)."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    org_code = body + _org_code_check(body)
    first17 = f"{authority}{category}{division_code}{org_code}"
    return first17 + check_character(first17)
