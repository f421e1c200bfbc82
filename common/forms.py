"""Form fields of the pages: numbers through `common.numbers`, text through `common.text`.

A page's form folds what Chinese input methods type in full-width mode (１２３．５) to ASCII and then parses as
strictly as the API; money may carry thousands separators in their proper places (1,234.50). `fold = False` (the
API's query filters, `common.filters`) parses ASCII only.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .errors import CommonError, DomainError
from .markup import DATA_LANGUAGE, mark_data
from .numbers import BIGINT_MAX, BIGINT_MIN, fold_fullwidth, integer_range, parse_decimal, parse_id, parse_int
from .text import text_error


def _error(exc: DomainError) -> ValidationError:
    return ValidationError(exc.message, code=exc.code)


class IntegerField(forms.IntegerField):
    fold = True

    def __init__(self, *, column: models.Field | None = None, **kwargs):
        low, high = integer_range(column) if column is not None else (BIGINT_MIN, BIGINT_MAX)
        kwargs["min_value"] = low if kwargs.get("min_value") is None else max(low, kwargs["min_value"])
        kwargs["max_value"] = high if kwargs.get("max_value") is None else min(high, kwargs["max_value"])
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_int(
                value, field=None, label=self.label, min_value=self.min_value, max_value=self.max_value, form=self.fold
            )
        except DomainError as exc:
            raise _error(exc) from None


class DecimalField(forms.DecimalField):
    fold = True

    def __init__(self, *, column: models.Field | None = None, **kwargs):
        if column is not None:
            kwargs.setdefault("max_digits", column.max_digits)
            kwargs.setdefault("decimal_places", column.decimal_places)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(
                value,
                field=None,
                label=self.label,
                max_digits=self.max_digits,
                decimal_places=self.decimal_places,
                form=self.fold,
            )
        except DomainError as exc:
            raise _error(exc) from None


def _integer_key(field) -> bool:
    """Whether the choice field looks objects up by an integer column (an id), which is then parsed strictly."""
    meta = field.queryset.model._meta
    key = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    return isinstance(key, models.IntegerField)


class StrictChoiceMixin:
    """An object chosen by id: the id is parsed strictly before the lookup (no Unicode digits, no overflow)."""

    fold = True

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if _integer_key(self) and not isinstance(value, models.Model):
            try:
                value = parse_id(value, field=None, label=self.label, form=self.fold)
            except DomainError as exc:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from exc
        return super().to_python(value)


class ModelChoiceField(StrictChoiceMixin, forms.ModelChoiceField):
    pass


class StrictMultipleChoiceMixin:
    fold = True

    def _check_values(self, value):
        if _integer_key(self):
            try:
                value = [v if isinstance(v, models.Model) else parse_id(v, field=None, form=self.fold) for v in value]
            except DomainError as exc:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"] % {"pk": exc.message}, code="invalid_pk_value"
                ) from exc
        return super()._check_values(value)


class ModelMultipleChoiceField(StrictMultipleChoiceMixin, forms.ModelMultipleChoiceField):
    pass


class CharField(forms.CharField):
    """Text without control or bidirectional control characters; over its max_length it is refused, not cut."""

    def validate(self, value):
        super().validate(value)
        if value and (problem := text_error(value)):
            raise ValidationError(problem, code=CommonError.INVALID_CHARACTER)


class NumberTextField(CharField):
    """A number a form passes on as text to the service that parses it (with the service's own messages): folded to
    ASCII here, as every form's numbers are, and parsed as strictly as the API's by the service."""

    def to_python(self, value):
        return fold_fullwidth(super().to_python(value)).strip()


class NamedOptions:
    """A choice widget whose options name things (products, organisations, regions): each option is marked as data
    (`lang="zh"`, common.markup) — on the <option> of a select, on the label of a checkbox or radio button."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        if option["value"] not in ("", None):
            if getattr(self, "input_type", "select") in ("checkbox", "radio"):
                option["label"] = mark_data(option["label"])
            else:
                option["attrs"]["lang"] = DATA_LANGUAGE
        return option


class NamedSelect(NamedOptions, forms.Select):
    pass


class NamedCheckboxSelectMultiple(NamedOptions, forms.CheckboxSelectMultiple):
    pass
