"""`rest_framework.serializers`, with the project's strict number, id and text fields in place of DRF's.

Every API module imports `from common import serializers` instead of DRF's module (ruff's banned-api rule refuses
the latter elsewhere), so a field declared as `serializers.IntegerField()` and every field a `ModelSerializer`
builds from a model parse numbers with `common.numbers` and text with `common.text`:

- DRF's IntegerField runs `int()`, which converts Arabic-Indic digits and crashes on none; its DecimalField runs
  `Decimal()`, which takes 1e400 and Unicode digits; a PrimaryKeyRelatedField hands any of these to the database.
  Here each answers 400 naming the field, and an integer without a column of its own is bounded by a 64-bit one.
- A CharField refuses control and bidirectional control characters, and text longer than its limit (a declared
  field without `max_length` is bounded by TEXT_MAX_LENGTH): nothing is cut silently.
"""

from __future__ import annotations

import copy

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import translation
from rest_framework import serializers as drf  # noqa: TID251 - the module this one extends
from rest_framework.serializers import *  # noqa: F403, TID251 - this module stands in for DRF's

from .errors import CommonError, DomainError
from .numbers import BIGINT_MAX, BIGINT_MIN, integer_range, parse_decimal, parse_id, parse_int
from .text import text_error

# A text field declared without a limit of its own (free remarks, reasons) takes at most this many characters.
TEXT_MAX_LENGTH = 10_000


def _as_field_error(exc: DomainError) -> drf.ValidationError:
    return drf.ValidationError(exc.message, code=exc.code)


class IntegerField(drf.IntegerField):
    """An integer in ASCII digits within its column's range (`column=` a model field), else a 64-bit one."""

    def __init__(self, *, column: models.Field | None = None, **kwargs):
        low, high = integer_range(column) if column is not None else (BIGINT_MIN, BIGINT_MAX)
        kwargs["min_value"] = low if kwargs.get("min_value") is None else max(low, kwargs["min_value"])
        kwargs["max_value"] = high if kwargs.get("max_value") is None else min(high, kwargs["max_value"])
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return parse_int(data, field=self.field_name or None, min_value=self.min_value, max_value=self.max_value)
        except DomainError as exc:
            raise _as_field_error(exc) from None


class BigIntegerField(IntegerField):
    pass


class DecimalField(drf.DecimalField):
    """A plain decimal in ASCII digits with at most the field's digits before and after the point."""

    def to_internal_value(self, data):
        try:
            number = parse_decimal(
                data, field=self.field_name or None, max_digits=self.max_digits, decimal_places=self.decimal_places
            )
        except DomainError as exc:
            raise _as_field_error(exc) from None
        return super().to_internal_value(str(number))


class CharField(drf.CharField):
    """Text without control or bidirectional control characters, refused (not cut) beyond its limit."""

    def __init__(self, **kwargs):
        if kwargs.get("max_length") is None and not kwargs.get("read_only"):
            kwargs["max_length"] = TEXT_MAX_LENGTH
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if problem := text_error(value):
            raise drf.ValidationError(problem, code=CommonError.INVALID_CHARACTER)
        return value


class JSONField(drf.JSONField):
    """DRF's, validating with Django's encoder: the API's JSON parser reads numbers with a fraction as Decimals
    (common.parsers), which the standard encoder refuses."""

    def __init__(self, **kwargs):
        kwargs.setdefault("encoder", DjangoJSONEncoder)
        super().__init__(**kwargs)


class PrimaryKeyRelatedField(drf.PrimaryKeyRelatedField):
    """An object's id: a positive integer in ASCII digits an id column holds, then looked up as DRF does."""

    def to_internal_value(self, data):
        if self.pk_field is None and isinstance(self.get_queryset().model._meta.pk, models.IntegerField):
            try:
                data = parse_id(data, field=self.field_name or None)
            except DomainError as exc:
                raise _as_field_error(exc) from None
        return super().to_internal_value(data)


class ModelSerializer(drf.ModelSerializer):
    """DRF's, building the fields above from the model's (with the model field's range, digits and length)."""

    serializer_field_mapping = {
        **drf.ModelSerializer.serializer_field_mapping,
        models.AutoField: IntegerField,
        models.BigAutoField: BigIntegerField,
        models.BigIntegerField: BigIntegerField,
        models.IntegerField: IntegerField,
        models.PositiveIntegerField: IntegerField,
        models.PositiveSmallIntegerField: IntegerField,
        models.PositiveBigIntegerField: BigIntegerField,
        models.SmallIntegerField: IntegerField,
        models.DecimalField: DecimalField,
        models.CharField: CharField,
        models.TextField: CharField,
        models.JSONField: JSONField,
    }
    serializer_related_field = PrimaryKeyRelatedField


_BUILT_FIELDS: dict[tuple[type, str | None], dict] = {}


class FieldsBuiltOnce:
    """A ModelSerializer whose fields are built from the model once per class and language, then copied for each
    use: building them reads every model field's attributes and translates its label, which was a fifth of answering
    a new order. On a plain Serializer the same saves deep-copying every declared field for each request (a new
    order's input: 0.22 → 0.14 ms). A shallow copy is enough: binding a field to its serializer sets attributes of the copy only
    (`field_name`, `parent`, `source`), and the stored originals are never bound. Only for serializers whose fields
    do not depend on the instance, the context or the request (no `get_fields` or `build_field` of their own)."""

    def get_fields(self):
        key = (type(self), translation.get_language())
        built = _BUILT_FIELDS.get(key)
        if built is None:
            built = _BUILT_FIELDS[key] = super().get_fields()
        return {name: copy.copy(field) for name, field in built.items()}
