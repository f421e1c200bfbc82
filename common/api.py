"""API plumbing shared by every app: pagination, the rendering of domain errors, output serializers built once."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError
from django.db.models import IntegerField, Model
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers  # noqa: TID251 - DRF's base class, read-only here
from rest_framework.fields import Field, SkipField
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import PKOnlyObject, PrimaryKeyRelatedField
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import CommonError, DomainError
from .numbers import parse_int

_MISSING = object()


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
    # Django's own (get_object_or_404, a view's `raise Http404`) as DRF's, so that they get the body below; with
    # DRF's message, not Django's ("No Bid matches the given query." names a model, in English only).
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.Throttled):
        return throttled_response(exc.wait)
    if isinstance(exc, RequestDataTooBig):  # DRF reads a JSON or form body through `request.body`
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = _("请求内容过大：不能超过 %(limit)s 字节") % {"limit": limit}
        return Response(error_body(CommonError.BODY_TOO_LARGE, message), status=413)
    if isinstance(exc, DataError | OverflowError):
        # A value the database cannot hold (an id beyond bigint, a number out of range): the request is wrong.
        return Response(error_body(CommonError.OUT_OF_RANGE, _("参数超出允许范围")), status=400)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        if isinstance(exc, exceptions.ValidationError):
            errors = list(_field_errors(exc.detail)) or [error_body(CommonError.INVALID, _("请求无效"))]
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


@cache
def _prototype(serializer_class):
    return serializer_class()


@cache
def _plan(serializer_class) -> list[tuple] | None:
    """How `represent` reads each field of a model serializer: (name, attribute path or None, whether the value is
    the related object's id, the field). The path is given where DRF's own lookup would come to the same: a plain
    field (its `get_attribute` not overridden) whose source is an attribute chain, or a primary-key field on a
    forward foreign key (DRF's pk-only shortcut reads the `…_id` column). None: not a model serializer rendered
    field by field (render it with DRF)."""
    serializer = _prototype(serializer_class)
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None or type(serializer).to_representation is not serializers.Serializer.to_representation:
        return None
    plan = []
    for field in serializer._readable_fields:
        attrs, pk = None, False
        if type(field).get_attribute is Field.get_attribute and field.source_attrs:
            attrs = tuple(field.source_attrs)
        elif type(field) is PrimaryKeyRelatedField and field.pk_field is None and len(field.source_attrs) == 1:
            try:
                target = model._meta.get_field(field.source_attrs[0])
            except FieldDoesNotExist:
                target = None
            if target is not None and target.many_to_one and target.concrete:
                attrs, pk = (target.attname,), True
        plan.append((field.field_name, attrs, pk, field))
    return plan


def represent(serializer_class, instance) -> dict:
    """What `serializer_class(instance).data` gives, for an output serializer that needs no context (no request, no
    hyperlinks). DRF builds a ModelSerializer's fields anew for every instance — model introspection, validators,
    labels — which costs several times the rendering itself on a hot endpoint; here one instance per class, built on
    first use, renders every object (its fields are bound once and only read). A model instance's plain attributes
    are read directly (see `_plan`); anything else (a missing or None link in a chain, a callable, a mapping) goes
    through the field's own lookup, so the answer is DRF's."""
    plan = _plan(serializer_class)
    if plan is None or not isinstance(instance, Model):
        return _prototype(serializer_class).to_representation(instance)
    ret = {}
    for name, attrs, pk, field in plan:
        value = _MISSING
        if attrs is not None:
            value = instance
            try:
                for attr in attrs:
                    if value is None or isinstance(value, Mapping):
                        value = _MISSING
                        break
                    value = getattr(value, attr)
            except (AttributeError, ObjectDoesNotExist):
                value = _MISSING
            if callable(value):
                value = _MISSING
            elif pk:
                ret[name] = value
                continue
        if value is _MISSING:
            try:
                value = field.get_attribute(instance)
            except SkipField:
                continue
            if (value.pk if isinstance(value, PKOnlyObject) else value) is None:
                ret[name] = None
                continue
        ret[name] = None if value is None else field.to_representation(value)
    return ret
