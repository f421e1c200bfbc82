"""API plumbing shared by every app: pagination, ids in URLs, the rendering of domain errors."""

from __future__ import annotations

import math
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError
from django.db.models import IntegerField
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import CommonError, DomainError
from .numbers import parse_int


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class Router(DefaultRouter):
    """DRF's router; an object id in a URL is ASCII digits (at most 19, a bigint's), so `/orders/²/` or `/orders/١/`
    is simply not found instead of reaching `int()` or the database."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        queryset = getattr(viewset, "queryset", None)
        # every model's key is an integer (DEFAULT_AUTO_FIELD); a viewset whose queryset says otherwise keeps DRF's
        integer_key = queryset is None or isinstance(queryset.model._meta.pk, IntegerField)
        if (
            getattr(viewset, "lookup_value_regex", None) is None
            and getattr(viewset, "lookup_field", "pk") == "pk"
            and integer_key
        ):
            viewset.lookup_value_regex = "[0-9]{1,19}"
        return super().get_lookup_regex(viewset, lookup_prefix)


def header_int(request, name: str, *, column=None) -> int | None:
    """A number sent in a request header (e.g. `If-Match: "7"`, a weak `W/"7"` too), parsed as every number is
    (common.numbers: ASCII digits within the column's range); None when the header is absent or empty. A bad one is a
    400 naming the header, never ignored."""
    raw = request.headers.get(name, "").strip()
    if raw.startswith("W/"):
        raw = raw[2:]
    raw = raw.strip().strip('"')
    return parse_int(raw, field=name, column=column) if raw else None


def exception_handler(exc, context):
    """Every error the API answers is `{"code": …, "detail": …, "field": …}` (docs/api-errors.md): a domain error
    as its service raised it; DRF's own refusals (not signed in, no permission, not found, method, media type) with
    DRF's code; a serializer's validation errors with the first of them on top and all of them under `errors`, each
    naming its field as a dotted path (`lines.0.quantity`; null for an error of the whole request)."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, exceptions.Throttled):
        return throttled_response(exc.wait)
    if isinstance(exc, RequestDataTooBig):  # DRF reads a JSON or form body through `request.body`
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = _("请求内容过大：不能超过 %(limit)s 字节") % {"limit": limit}
        return Response(error_body(CommonError.BODY_TOO_LARGE, message), status=413)
    if isinstance(exc, DataError | OverflowError):
        # A value the database cannot hold (an id beyond bigint, a number out of range): the request is wrong.
        return Response(error_body(CommonError.OUT_OF_RANGE, _("参数超出允许范围")), status=400)
    # Django's own (get_object_or_404, a view's `raise Http404`) as DRF's, so that they get the body below; with
    # DRF's message, not Django's ("No Bid matches the given query." names a model, in English only).
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        if isinstance(exc, exceptions.ValidationError):
            # an empty detail: DRF's own "Invalid input." (translated by DRF)
            empty = error_body(CommonError.INVALID, exceptions.ValidationError.default_detail)
            errors = list(_field_errors(exc.detail)) or [empty]
            response.data = {**errors[0], "errors": errors}
        else:
            response.data = error_body(_first_code(exc.get_codes()), _first_text(exc.detail))
    return response


def error_body(code, detail, field: str | None = None) -> dict:
    return {"code": str(code), "detail": str(detail), "field": field}


def _field_errors(detail, path: tuple[str, ...] = ()):
    """DRF's nested validation errors ({field: [ErrorDetail]}, lists of those for many=True) as flat entries."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            yield from _field_errors(value, path if key == api_settings.NON_FIELD_ERRORS_KEY else (*path, str(key)))
    elif isinstance(detail, list | tuple):
        nested = any(isinstance(item, Mapping | list | tuple) for item in detail)
        for index, item in enumerate(detail):
            yield from _field_errors(item, (*path, str(index)) if nested and isinstance(item, Mapping) else path)
    else:
        yield error_body(getattr(detail, "code", None) or CommonError.INVALID, detail, ".".join(path) or None)


def _first_code(codes) -> str:
    while isinstance(codes, Mapping | list | tuple):
        codes = next(iter(codes.values() if isinstance(codes, Mapping) else codes), CommonError.INVALID)
    return str(codes)


def _first_text(detail) -> str:
    while isinstance(detail, Mapping | list | tuple):
        detail = next(iter(detail.values() if isinstance(detail, Mapping) else detail), "")
    return str(detail)


def throttled_response(wait: float | None) -> Response:
    """429 in the platform's error body, with Retry-After: the seconds until the client may try again."""
    seconds = max(1, math.ceil(wait or 1))
    return Response(
        error_body(CommonError.THROTTLED, _("请求过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": seconds}),
        status=429,
        headers={"Retry-After": str(seconds)},
    )
