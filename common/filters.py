"""Query filters of the API (django-filter), with strict numbers: `?distributor=²`, `?hospital=١` or an id beyond a
64-bit column answer 400 naming the filter, never a 500 nor a silently converted id.

`FilterBackend` is the project's default filter backend (REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]); the FilterSets
it builds from a view's `filterset_fields` map integer, decimal and relation columns to the filters below. Query
strings are the API's: ASCII digits only, nothing folded (`fold = False`).
"""

from __future__ import annotations

import django_filters
from django.db import models
from django_filters import fields as filter_fields
from django_filters.rest_framework import DjangoFilterBackend  # noqa: TID251 - the base of the project's backend
from django_filters.rest_framework import FilterSet as DrfFilterSet
from django_filters.rest_framework.filterset import FILTER_FOR_DBFIELD_DEFAULTS

from . import forms


class _ApiInteger(forms.IntegerField):
    fold = False


class _ApiDecimal(forms.DecimalField):
    fold = False


class _ApiChoice(forms.StrictChoiceMixin, filter_fields.ModelChoiceField):
    fold = False


class _ApiMultipleChoice(forms.StrictMultipleChoiceMixin, filter_fields.ModelMultipleChoiceField):
    fold = False


class IntegerFilter(django_filters.NumberFilter):
    field_class = _ApiInteger


class NumberFilter(django_filters.NumberFilter):
    field_class = _ApiDecimal


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _ApiChoice


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = _ApiMultipleChoice


def _integer(field):
    return {"column": field}


def _decimal(field):
    return {"max_digits": field.max_digits, "decimal_places": field.decimal_places}


_INTEGERS = (
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.SmallIntegerField,
    models.SmallAutoField,
)

STRICT_DEFAULTS = {
    **FILTER_FOR_DBFIELD_DEFAULTS,
    **{kind: {"filter_class": IntegerFilter, "extra": _integer} for kind in _INTEGERS},
    models.DecimalField: {"filter_class": NumberFilter, "extra": _decimal},
    models.ForeignKey: {**FILTER_FOR_DBFIELD_DEFAULTS[models.ForeignKey], "filter_class": ModelChoiceFilter},
    models.OneToOneField: {**FILTER_FOR_DBFIELD_DEFAULTS[models.OneToOneField], "filter_class": ModelChoiceFilter},
    models.OneToOneRel: {**FILTER_FOR_DBFIELD_DEFAULTS[models.OneToOneRel], "filter_class": ModelChoiceFilter},
    models.ManyToManyField: {
        **FILTER_FOR_DBFIELD_DEFAULTS[models.ManyToManyField],
        "filter_class": ModelMultipleChoiceFilter,
    },
    models.ManyToOneRel: {
        **FILTER_FOR_DBFIELD_DEFAULTS[models.ManyToOneRel],
        "filter_class": ModelMultipleChoiceFilter,
    },
    models.ManyToManyRel: {
        **FILTER_FOR_DBFIELD_DEFAULTS[models.ManyToManyRel],
        "filter_class": ModelMultipleChoiceFilter,
    },
}


class FilterSet(DrfFilterSet):
    FILTER_DEFAULTS = STRICT_DEFAULTS


class FilterBackend(DjangoFilterBackend):
    filterset_base = FilterSet
