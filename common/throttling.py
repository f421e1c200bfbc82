"""API rate limits (DRF throttles) with the rates read from the settings at each request.

DRF copies `DEFAULT_THROTTLE_RATES` into its throttle classes once, at import; a rate changed later (a test, an
`override_settings`) would never apply. The rates and their settings: docs/security.md.
"""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.settings import api_settings


class SettingsRateMixin:
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    """Unauthenticated requests, per address."""


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """Authenticated requests, per user (unauthenticated ones per address)."""


class SignInRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Sign-in attempts, per address, whoever signs in: stricter than `anon`, on top of the login lockout."""

    scope = "sign_in"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
