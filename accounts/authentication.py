"""API token authentication that reads the token, its user, the user's organisation and (on PostgreSQL) the user's
role codes in one query: every API request authenticates, so its round trips count on every call."""

from __future__ import annotations

from django.db import connection
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        tokens = model.objects.select_related("user__organization")
        if connection.vendor == "postgresql":
            from django.contrib.postgres.expressions import ArraySubquery

            from .models import Role

            tokens = tokens.annotate(role_codes=ArraySubquery(
                Role.objects.filter(users=OuterRef("user_id")).order_by().values("code")
            ))
        try:
            token = tokens.get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if getattr(token, "role_codes", None) is not None:
            token.user._role_codes = frozenset(token.role_codes)  # what User.role_codes would read (see there)
        return (token.user, token)
