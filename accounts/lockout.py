"""Login lockout (django-axes) by username at an address, and by address across usernames (password spraying).

Axes compares one count of failures with one limit (AXES_FAILURE_LIMIT), for the username at the address
(AXES_LOCKOUT_PARAMETERS). Adding the address alone to those parameters would lock it after as few failures, and a
hospital's staff share one address: the address gets a limit of its own, LOGIN_ADDRESS_FAILURE_LIMIT, counted over
the same failure records within the same cool-off. A success resets only its own username's count, so signing in
with one known account does not clear the failures sprayed over the others.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    """Failures from the request's address within the cool-off, whatever the username."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LoginFailureHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures < limit and address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            request.axes_address_locked_out = True  # for the message: the address, not the username
            return limit
        return failures
