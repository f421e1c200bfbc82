"""Request bodies are bounded (size and JSON nesting) and the project's parsers, fields and filters are the only
ones in use: a new serializer, filter or JSON parser cannot bring DRF's lenient number parsing back."""

import pytest
from django.urls import get_resolver

from common import serializers as strict
from common.filters import FilterBackend
from common.parsers import JSONParser
from procurement.models import PurchaseOrder
from tests.factories import UserFactory
from tests.procurement.ordering import build_world
from tests.utils import api_as


@pytest.mark.django_db
def test_json_nested_100000_deep_is_a_400_not_a_recursion_error():
    user = UserFactory(roles=["purchaser"])
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000, "[" * 40 + "]" * 40):
        response = api_as(user).post("/api/v1/orders/", body, content_type="application/json")
        assert response.status_code == 400 and response.json()["code"] == "parse_error", body[:10]
        assert "嵌套" in response.json()["detail"]


@pytest.mark.django_db
def test_a_body_over_the_limit_is_a_413_and_writes_nothing(settings):
    w = build_world()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"distributor": w.distributor.pk, "lines": w.lines(), "remarks": "x" * 20_000}
    response = api_as(w.buyer).post("/api/v1/orders/", body, format="json")
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"
    assert "10000" in response.json()["detail"]
    assert not PurchaseOrder.objects.exists()


@pytest.mark.django_db
def test_nan_and_infinity_are_not_json():
    user = UserFactory(roles=["purchaser"])
    for constant in ("NaN", "Infinity", "-Infinity"):
        response = api_as(user).post(
            "/api/v1/orders/", f'{{"distributor": {constant}}}', content_type="application/json"
        )
        assert response.status_code == 400


def _views():
    """Every DRF view class the URLs route to."""
    found, stack = set(), [get_resolver()]
    while stack:
        for pattern in stack.pop().url_patterns:
            if hasattr(pattern, "url_patterns"):
                stack.append(pattern)
                continue
            cls = getattr(pattern.callback, "cls", None)
            if cls is not None:
                found.add(cls)
    return found


def test_every_api_view_uses_the_projects_json_parser_and_filter_backend():
    from rest_framework.parsers import JSONParser as DrfJSONParser  # noqa: TID251 - what must not be used

    views = _views()
    assert len(views) > 30
    for view in views:
        parsers = list(getattr(view, "parser_classes", []))
        assert not [p for p in parsers if issubclass(p, DrfJSONParser) and not issubclass(p, JSONParser)], view
        for backend in getattr(view, "filter_backends", []):
            if backend.__module__.startswith("django_filters"):
                pytest.fail(f"{view.__name__} filters with {backend.__name__}, not {FilterBackend.__name__}")


def _declared_fields(serializer_class):
    try:
        return serializer_class().fields.values()
    except Exception:  # noqa: BLE001 - a serializer that needs context is checked through its declared fields
        return serializer_class._declared_fields.values()


def test_every_serializer_field_that_reads_a_number_or_an_id_is_strict():
    """Every input serializer of the API (subclasses of DRF's Serializer defined in the project) parses integers,
    decimals, ids and text with the fields of common.serializers, including the fields a ModelSerializer builds."""
    from rest_framework import serializers as drf  # noqa: TID251 - the base classes checked against

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [
        s
        for s in subclasses(drf.Serializer)
        if s.__module__.split(".")[0] in ("accounts", "catalog", "procurement", "pricing", "settlement", "common")
    ]
    assert len(ours) > 30
    lenient_types = {drf.IntegerField, drf.DecimalField, drf.CharField, drf.PrimaryKeyRelatedField, drf.FloatField}
    lenient = []
    for serializer_class in ours:
        for field in _declared_fields(serializer_class):
            if field.read_only:
                continue
            for part in (field, getattr(field, "child", None), getattr(field, "child_relation", None)):
                if type(part) in lenient_types:
                    lenient.append(f"{serializer_class.__module__}.{serializer_class.__name__}.{field.field_name}")
    assert not lenient, lenient
    assert strict.ModelSerializer.serializer_related_field is strict.PrimaryKeyRelatedField
