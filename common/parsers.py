"""The API's JSON parser: bounded in size and nesting, numbers never through float.

DRF's parser reads the whole body whatever its size (DATA_UPLOAD_MAX_MEMORY_SIZE guards only `request.body`),
lets `json` recurse until RecursionError (a 500) on a body nested 100,000 deep, and turns 1e400 into infinity.
Here:
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE bytes is refused (413) after reading one byte more than the limit;
- nesting deeper than API_JSON_MAX_DEPTH arrays/objects is refused (400);
- a JSON number with a fraction is a Decimal of exactly the digits sent; one in exponent form (1e400) or an integer
  of more than MAX_NUMBER_TEXT digits stays the text sent, which every number field then refuses naming the field
  (common.numbers); NaN and Infinity are refused.
"""

from __future__ import annotations

import codecs
import json
import re
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

from .errors import CommonError
from .numbers import MAX_NUMBER_TEXT

_PLAIN = re.compile(r"-?[0-9]+\.[0-9]+")


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = CommonError.BODY_TOO_LARGE


def _number(text: str):
    return Decimal(text) if len(text) <= MAX_NUMBER_TEXT and _PLAIN.fullmatch(text) else text


def _integer(text: str):
    return int(text) if len(text) <= MAX_NUMBER_TEXT else text


def _constant(name: str):
    raise ParseError(_("JSON 中不能使用 %(name)s") % {"name": name})


def depth(value) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def read_limited(stream) -> bytes:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise BodyTooLarge(_("请求内容过大：不能超过 %(limit)s 字节") % {"limit": limit})
    return data


class JSONParser(parsers.JSONParser):  # noqa: TID251 - the parser this one extends
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = read_limited(stream)
        limit = settings.API_JSON_MAX_DEPTH
        too_deep = _("JSON 嵌套过深：数组和对象最多嵌套 %(limit)s 层") % {"limit": limit}
        try:
            text = codecs.decode(raw, encoding)
            data = json.loads(text, parse_float=_number, parse_int=_integer, parse_constant=_constant)
        except RecursionError:  # deeper than the interpreter's stack: the C scanner stops cleanly
            raise ParseError(too_deep) from None
        except ValueError as exc:
            raise ParseError(_("JSON 格式错误：%(error)s") % {"error": exc}) from None
        if depth(data) > limit:
            raise ParseError(too_deep)
        return data
