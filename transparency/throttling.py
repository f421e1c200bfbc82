"""The public pages' and API's rate limit: the `public` rate (API_THROTTLE_PUBLIC), per address."""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse
from django.utils.translation import gettext
from rest_framework import throttling

from common.throttling import SettingsRateMixin


class PublicRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Every public request, signed in or not, per address."""

    scope = "public"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def throttled_page(view):
    """The same limit for the public pages: 429 with Retry-After beyond it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        throttle = PublicRateThrottle()
        if not throttle.allow_request(request, None):
            wait = int(throttle.wait() or 1)
            response = HttpResponse(gettext("请求过于频繁，请 %(seconds)s 秒后再试") % {"seconds": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
        return view(request, *args, **kwargs)

    return wrapped
