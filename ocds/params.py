"""Query parameters of the public endpoints, parsed strictly: a bad one is a 400 naming it, never ignored."""

from __future__ import annotations

import re
from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .errors import OcdsError, ValidationFailed

ASCII_DIGITS = re.compile(r"[0-9]{1,9}")


def parse_moment(value: str | None, *, field: str, end: bool = False) -> datetime | None:
    """An ISO 8601 date (the whole day: its start, or with `end` its last second) or date-time; a naive date-time is
    in the platform's time zone."""
    if value is None or value == "":
        return None
    text = value.strip()
    try:
        moment = parse_datetime(text) if "T" in text or " " in text else None
        day = None if moment else parse_date(text)
    except ValueError:
        moment = day = None
    if moment is None and day is None:
        raise ValidationFailed(
            _("%(field)s 不是有效的日期（如 2026-12-01 或 2026-12-01T08:00:00+08:00）") % {"field": field},
            field=field,
            code=OcdsError.INVALID_DATE,
        )
    if moment is None:
        moment = datetime.combine(day, time.max if end else time.min)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def parse_positive(value: str | None, *, field: str, default: int, maximum: int) -> int:
    if value is None or value == "":
        return default
    if not ASCII_DIGITS.fullmatch(value) or not 1 <= int(value) <= maximum:
        raise ValidationFailed(
            _("%(field)s 必须是 1 到 %(maximum)s 之间的整数") % {"field": field, "maximum": maximum},
            field=field,
            code=OcdsError.INVALID_PAGE,
        )
    return int(value)


def date_range(params) -> tuple[datetime | None, datetime | None]:
    date_from = parse_moment(params.get("date_from"), field="date_from")
    date_to = parse_moment(params.get("date_to"), field="date_to", end=True)
    if date_from and date_to and date_to < date_from:
        raise ValidationFailed(_("date_to 不能早于 date_from"), field="date_to", code=OcdsError.DATES_OUT_OF_ORDER)
    return date_from, date_to
