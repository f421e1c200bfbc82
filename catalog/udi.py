"""UDI-DI (医疗器械唯一标识的产品标识) of consumables, by issuing agency, with clear messages.

China's UDI rules (医疗器械唯一标识系统规则, NMPA 2019 No. 66) accept the codes of the issuing agencies that
meet the standards; those in use are GS1, HIBCC (HIBC), ICCBBA (ISBT 128) and the domestic MA code (IDcode).
What is checked, and what is not:

* **GS1** — the DI is a GTIN: 14 digits (GTIN-14) or 13 digits (GTIN-13, the EAN-13 on most Chinese packs). The
  last digit is the GS1 check digit (weights 3 and 1 alternating from the right, the same computation as the
  drug standard code's), and it is verified. A DI typed with its application identifier, ``(01)`` + 14 digits,
  is accepted and stored without it.
* **HIBC** — begins with ``+``; the HIBC standard ends the data with a modulo-43 check character, which is *not*
  verified here (the platform keeps the DI as the registrant filed it; see docs/consumables.md).
* **ICCBBA** (ISBT 128) — begins with ``=`` (the data identifier); only the character set is checked.
* **MA / IDcode** — begins with ``MA.``; only the character set is checked.

Anything else is refused with the list of the accepted forms: no check is invented for a format the platform does
not know.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from .codes import normalize_code, standard_code_check_digit
from .errors import CatalogError

UDI_DI_MAX = 60  # the column's width; no issuing agency's DI is longer

_GS1_AI = re.compile(r"^\(01\)(\d{14})$")
_HIBC = re.compile(r"^\+[A-Z0-9\-.$/+%]{5,}$")
_ICCBBA = re.compile(r"^=[A-Z0-9=/&]{4,}$")
_MA = re.compile(r"^MA\.[A-Z0-9.]{3,}$")

ACCEPTED_HELP = "GS1 GTIN-14/GTIN-13（含校验位）、HIBC（+ 开头）、ICCBBA（= 开头）或 MA 码（MA. 开头）"


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit of a GTIN's digits before it (any length)."""
    return standard_code_check_digit(body)


def normalize_udi_di(value) -> str:
    """Full-width → half-width, spaces dropped, upper case; a GS1 ``(01)`` application identifier removed."""
    code = normalize_code(value)
    match = _GS1_AI.match(code)
    return match.group(1) if match else code


def issuing_agency(code: str) -> str:
    """``gs1``, ``hibc``, ``iccbba``, ``ma`` or ``""`` for a (normalised) DI, by its form alone."""
    if code.isdigit():
        return "gs1"
    if code.startswith("+"):
        return "hibc"
    if code.startswith("="):
        return "iccbba"
    if code.startswith("MA."):
        return "ma"
    return ""


def _gs1_problem(code: str) -> str | None:
    if len(code) not in (13, 14):
        return gettext("GS1 产品标识应为 13 位（GTIN-13）或 14 位（GTIN-14）数字，当前为 %(count)s 位") % {
            "count": len(code)
        }
    expected = gtin_check_digit(code[:-1])
    if int(code[-1]) != expected:
        return gettext("GS1 产品标识校验位错误：第 %(position)s 位应为 %(expected)s，实际为 %(actual)s") % {
            "position": len(code),
            "expected": expected,
            "actual": code[-1],
        }
    return None


_SHAPES = {"hibc": _HIBC, "iccbba": _ICCBBA, "ma": _MA}
_AGENCY_LABELS = {"hibc": "HIBC", "iccbba": "ICCBBA", "ma": "MA"}


def udi_di_problem(code: str) -> str | None:
    """Why a normalised UDI-DI is not acceptable, or None (an empty DI is acceptable: it is optional)."""
    if not code:
        return None
    if len(code) > UDI_DI_MAX:
        return gettext("UDI-DI 不能超过 %(limit)s 个字符") % {"limit": UDI_DI_MAX}
    agency = issuing_agency(code)
    if agency == "gs1":
        return _gs1_problem(code)
    if agency and _SHAPES[agency].match(code):
        return None
    if agency:
        return gettext("%(agency)s 产品标识“%(code)s”含不允许的字符或过短") % {
            "agency": _AGENCY_LABELS[agency],
            "code": code,
        }
    return gettext("UDI-DI“%(code)s”无法识别发码机构，应为 %(accepted)s") % {"code": code, "accepted": ACCEPTED_HELP}


def validate_udi_di(value) -> str:
    """Normalise and check a UDI-DI; returns the normalised DI or raises ValidationError (code INVALID_UDI_DI)."""
    code = normalize_udi_di(value)
    problem = udi_di_problem(code)
    if problem:
        raise ValidationError(problem, code=CatalogError.INVALID_UDI_DI)
    return code
