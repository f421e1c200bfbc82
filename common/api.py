"""API plumbing shared by every app: pagination, the rendering of domain errors, output serializers built once."""

from __future__ import annotations

from functools import cache

from django.db import DataError
from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DataError | OverflowError):
        # A value the database cannot hold (an id beyond bigint, a number out of range): the request is wrong.
        return Response({"detail": _("参数超出允许范围")}, status=400)
    return drf_exception_handler(exc, context)


@cache
def _prototype(serializer_class):
    return serializer_class()


def represent(serializer_class, instance) -> dict:
    """What `serializer_class(instance).data` gives, for an output serializer that needs no context (no request, no
    hyperlinks). DRF builds a ModelSerializer's fields anew for every instance — model introspection, validators,
    labels — which costs several times the rendering itself on a hot endpoint; here one instance per class, built on
    first use, renders every object (its fields are bound once and only read)."""
    return _prototype(serializer_class).to_representation(instance)
