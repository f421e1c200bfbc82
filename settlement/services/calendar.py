"""Working days in China, for the hospital's confirmation window, and dates people type."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from django.conf import settings
from django.utils.translation import gettext as _

from ..errors import SettlementError, ValidationFailed


def is_working_day(day: date) -> bool:
    """China's working days: the State Council's public holidays are off and its adjusted weekend days (调休) are
    worked, as published each year (the `chinese-calendar` package, 2004 to its latest year); for a year it does not
    know yet, Monday to Friday. `SETTLEMENT_HOLIDAYS` and `SETTLEMENT_WORKDAYS` (ISO dates) override either way, e.g.
    for a newly announced year or a regional holiday."""
    text = day.isoformat()
    if text in getattr(settings, "SETTLEMENT_HOLIDAYS", ()):
        return False
    if text in getattr(settings, "SETTLEMENT_WORKDAYS", ()):
        return True
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year not published in the installed calendar
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start` (see `is_working_day`)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def parse_date(value, *, field: str) -> date:
    """A date given as a `date` or as ISO text (YYYY-MM-DD); anything else is a clear error naming the field."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("%(field)s“%(value)s”不是有效的日期（YYYY-MM-DD）") % {"field": field, "value": value},
            field=field,
            code=SettlementError.INVALID_DATE,
        ) from None
