"""API token authentication (`Authorization: Token …`) with django-rest-knox tokens (accounts.ApiToken).

One query reads the token by its digest, with its user, the user's organisation and role codes: every API request
authenticates, so its round trips count on every call. knox's own lookup reads the user's other tokens on every
request to delete the expired ones; here an expired token is refused (and deleted) when it is used, and the others
go when their user signs in again (accounts.services.token_sign_in).
"""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox import auth
from knox.crypto import hash_token
from rest_framework import exceptions

from .models import ApiToken, Role


class TokenAuthentication(auth.TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            digest = hash_token(token.decode("ascii"))
        except UnicodeDecodeError:  # knox's tokens are hexadecimal: anything else is no token
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        tokens = ApiToken.objects.select_related("user__organization").annotate(
            role_codes=ArraySubquery(Role.objects.filter(users=OuterRef("user_id")).order_by().values("code"))
        )
        try:
            api_token = tokens.get(digest=digest)
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if api_token.expiry <= timezone.now():
            api_token.delete()
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新登录获取新令牌。"))
        if api_token.kind == ApiToken.Kind.SIGN_IN:
            # knox: expiry moves to now + TOKEN_TTL, never past created + AUTO_REFRESH_MAX_TTL, written at most once
            # per MIN_REFRESH_INTERVAL. An integration token keeps the date it was given.
            self.renew_token(api_token)
        user, api_token = self.validate_user(api_token)
        user._role_codes = frozenset(api_token.role_codes)  # what User.role_codes would read (see there)
        return user, api_token


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
        scheme["description"] = (
            "`Authorization: Token <token>`. A sign-in token (POST /api/v1/auth/token/) expires after "
            "API_TOKEN_IDLE_DAYS unused (7 by default) and API_TOKEN_SIGN_IN_MAX_DAYS after sign-in at the latest; an "
            "integration token (POST /api/v1/auth/tokens/) on the date chosen when it was made. A new password "
            "revokes every token of the user. List and revoke them at /api/v1/auth/tokens/."
        )
        return scheme
