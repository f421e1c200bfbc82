"""Parsing one traceability code (追溯码) or UDI as scanned or typed.

Three formats are told apart by their shape, and only what is public is verified:

- **20-digit drug traceability codes** (药品追溯码, the common 20-digit code of 码上放心 and most domestic drugs): 20
  ASCII digits. The first 7 digits are the product identifier (药品标识码), kept to match the product when the
  platform knows it (`ProductIdentifier`). The trailing check digits follow an algorithm that is not published: they
  are NOT verified (no invented check digit); an all-digit code of another length is refused.
- **GS1 element strings** (imported drugs, and the UDI of consumables): human-readable ``(01)…(17)…(10)…(21)…`` or
  the scanner's raw form ``01…17…10…<GS>21…`` (GS = ASCII 29, the FNC1 separator after a variable-length field).
  (01) GTIN-14 with its mod-10 check digit verified, (17) expiry YYMMDD checked as a date (day 00 = end of month),
  (10) lot and (21) serial (up to 20 characters), (11) production date. A code without (21) is lot-level: not
  unique, and never flagged as a duplicate.
- **Company codes** (企业自有码): 6 to 60 letters, digits and ``-._/`` with at least one letter, not verified.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext

from common.errors import ValidationFailed
from common.text import check_text

from .errors import TraceError

GS = "\x1d"
DIGITS_20 = re.compile(r"^\d{20}$")
COMPANY = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9\-._/]{6,60}$")
HUMAN_GS1 = re.compile(r"\((\d{2,4})\)([^()]*)")
# AI → (fixed length or None for variable, max length)
AIS = {"01": (14, 14), "11": (6, 6), "17": (6, 6), "10": (None, 20), "21": (None, 20)}
CODE_MAX = 100


class Kind:
    DRUG20 = "drug20"
    GS1 = "gs1"
    COMPANY = "company"


@dataclass(frozen=True)
class ParsedCode:
    code: str  # canonical text: 20 digits, the company code, or the human-readable GS1 string
    kind: str
    identifier: str  # 7-digit 药品标识码, GTIN-14, or '' for company codes
    serialised: bool
    lot: str = ""
    serial: str = ""
    expiry: date | None = None


def gtin_check_ok(gtin: str) -> bool:
    """GS1 mod-10: weights 3,1,3,… from the right, excluding the check digit."""
    body, check = gtin[:-1], int(gtin[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _gs1_date(value: str, field: str) -> date:
    try:
        yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:6])
        year = 2000 + yy if yy < 51 else 1900 + yy  # GS1 General Specifications 7.12: the 50-year window, simplified
        if dd == 0:
            dd = calendar.monthrange(year, mm)[1]
        return date(year, mm, dd)
    except (ValueError, IndexError) as exc:
        raise ValidationFailed(
            gettext("GS1 日期 %(value)s 不是有效日期") % {"value": value}, field=field, code=TraceError.GS1_BAD_DATE
        ) from exc


def _raw_elements(text: str, field: str) -> list[tuple[str, str]]:
    out, i = [], 0
    while i < len(text):
        if text[i] == GS:
            i += 1
            continue
        ai = text[i : i + 2]
        if ai not in AIS:
            raise ValidationFailed(
                gettext("无法识别的 GS1 应用标识符 %(ai)s") % {"ai": ai}, field=field, code=TraceError.GS1_MALFORMED
            )
        fixed, longest = AIS[ai]
        i += 2
        if fixed:
            value, i = text[i : i + fixed], i + fixed
        else:
            end = text.find(GS, i)
            end = len(text) if end < 0 else end
            value, i = text[i:end], end
        out.append((ai, value))
    return out


def _human_elements(text: str, field: str) -> list[tuple[str, str]]:
    pairs = HUMAN_GS1.findall(text)
    if "".join(f"({a}){v}" for a, v in pairs) != text:
        raise ValidationFailed(gettext("GS1 条码格式错误"), field=field, code=TraceError.GS1_MALFORMED)
    return pairs


def _check_elements(pairs: list[tuple[str, str]], field: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for ai, value in pairs:
        if ai not in AIS or ai in values:
            raise ValidationFailed(
                gettext("无法识别或重复的 GS1 应用标识符 %(ai)s") % {"ai": ai},
                field=field,
                code=TraceError.GS1_MALFORMED,
            )
        fixed, longest = AIS[ai]
        printable = value.isascii() and value.isprintable() and " " not in value
        if (fixed and (len(value) != fixed or not value.isdigit())) or not printable or len(value) > longest:
            raise ValidationFailed(
                gettext("GS1 字段 (%(ai)s) 长度或字符错误") % {"ai": ai}, field=field, code=TraceError.GS1_MALFORMED
            )
        values[ai] = value
    if "01" not in values:
        raise ValidationFailed(gettext("GS1 条码缺少 (01) GTIN"), field=field, code=TraceError.GS1_MALFORMED)
    if not gtin_check_ok(values["01"]):
        raise ValidationFailed(
            gettext("GTIN %(gtin)s 校验位错误") % {"gtin": values["01"]}, field=field, code=TraceError.GTIN_CHECK_DIGIT
        )
    return values


def parse_gs1(text: str, field: str) -> ParsedCode:
    pairs = _human_elements(text, field) if text.startswith("(") else _raw_elements(text, field)
    values = _check_elements(pairs, field)
    expiry = _gs1_date(values["17"], field) if "17" in values else None
    if "11" in values:
        _gs1_date(values["11"], field)
    canonical = "".join(f"({ai}){values[ai]}" for ai in ("01", "11", "17", "10", "21") if ai in values)
    return ParsedCode(
        code=canonical,
        kind=Kind.GS1,
        identifier=values["01"],
        serialised="21" in values,
        lot=values.get("10", ""),
        serial=values.get("21", ""),
        expiry=expiry,
    )


def parse_code(raw: str, *, field: str = "code") -> ParsedCode:
    """One code as scanned or typed → its parts, or a ValidationFailed naming the field and the reason."""
    text = (raw or "").strip().removeprefix("]C1").removeprefix("]d2")  # symbology identifiers some scanners send
    check_text(text.replace(GS, ""), field=field)  # no control characters but the GS separator
    if not text:
        raise ValidationFailed(gettext("追溯码为空"), field=field, code=TraceError.CODE_EMPTY)
    if len(text) > CODE_MAX:
        raise ValidationFailed(
            gettext("追溯码超过 %(n)s 个字符") % {"n": CODE_MAX}, field=field, code=TraceError.CODE_WRONG_LENGTH
        )
    if text.isdigit() and text.isascii():
        if DIGITS_20.match(text):
            return ParsedCode(code=text, kind=Kind.DRUG20, identifier=text[:7], serialised=True)
        if not (text.startswith("01") and len(text) >= 16):
            raise ValidationFailed(
                gettext("药品追溯码应为 20 位数字（收到 %(n)s 位）") % {"n": len(text)},
                field=field,
                code=TraceError.CODE_WRONG_LENGTH,
            )
    if text.startswith("(") or GS in text or (text.isdigit() and text.startswith("01")):
        return parse_gs1(text, field)
    if text[:2] == "01" and text[2:16].isdigit() and len(text) > 16:
        return parse_gs1(text, field)
    if COMPANY.match(text):
        return ParsedCode(code=text, kind=Kind.COMPANY, identifier="", serialised=True)
    raise ValidationFailed(
        gettext("追溯码含有无法识别的字符或格式：%(code)s") % {"code": text[:40]},
        field=field,
        code=TraceError.CODE_BAD_CHARACTERS,
    )
