"""Write use cases for organisations and users. Each runs in a transaction and validates fully."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.settings import knox_settings

from common.errors import ValidationFailed

from . import selectors
from .models import ApiToken, Organization, Role, User
from .permissions import ROLE_ORG_KIND, require


def raise_first_error(exc: ValidationError) -> None:
    """Turn Django's ValidationError into the domain's error, naming the first bad field."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = "；".join(m for e in errors for m in e.messages)
        label = None if field == "__all__" else field
        raise ValidationFailed(message, field=label) from exc
    raise ValidationFailed("；".join(exc.messages)) from exc


def _validate_organization(org: Organization) -> None:
    if org.kind != Organization.Kind.HOSPITAL:
        org.hospital_level = ""
        org.hospital_type = ""
    else:
        missing = [
            label
            for field, label in (("hospital_level", "医院等级"), ("hospital_type", "医院类型"), ("ownership", "所有制"))
            if not getattr(org, field)
        ]
        if missing:
            raise ValidationFailed(_("医疗机构必须填写%(items)s") % {"items": '、'.join(missing)}, field="hospital_level")
    try:
        org.full_clean()
    except ValidationError as exc:
        raise_first_error(exc)


@transaction.atomic
def organization_create(*, by: User | None = None, **fields) -> Organization:
    if by is not None:
        require(by, "organization.manage")
    org = Organization(**fields)
    _validate_organization(org)
    org.save()
    return org


@transaction.atomic
def organization_update(*, organization: Organization, by: User | None = None, **changes) -> Organization:
    if by is not None:
        require(by, "organization.manage")
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    for name, value in changes.items():
        setattr(org, name, value)
    _validate_organization(org)
    org.save()
    return org


def _validate_roles(organization: Organization | None, role_codes: Iterable[str]) -> list[Role]:
    codes = list(dict.fromkeys(role_codes))
    roles = {r.code: r for r in Role.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in roles]
    if unknown:
        raise ValidationFailed(_("未知的角色：%(items)s") % {"items": '、'.join(unknown)}, field="roles")
    if organization is not None:
        wrong = [roles[c].name for c in codes if ROLE_ORG_KIND.get(c) != organization.kind]
        if wrong:
            raise ValidationFailed(
                _("角色“%(items)s”不适用于%(kind)s“%(name)s”") % {"items": '、'.join(wrong), "kind": organization.get_kind_display(), "name": organization.name},
                field="roles",
            )
    return [roles[c] for c in codes]


@transaction.atomic
def user_create(
    *,
    username: str,
    organization: Organization | None,
    roles: Iterable[str],
    password: str | None = None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    is_staff: bool = False,
    by: User | None = None,
) -> User:
    if by is not None:
        require(by, "user.manage_own_organization")
        if organization is None or (
            organization.pk != by.organization_id and not by.role_codes & {"platform_admin"} and not by.is_superuser
        ):
            raise ValidationFailed(_("只能为本机构创建用户"), field="organization")
    if organization is None:
        raise ValidationFailed(_("用户必须属于一个机构"), field="organization")
    if not organization.is_active:
        raise ValidationFailed(_("机构“%(name)s”已停用，不能添加用户") % {"name": organization.name}, field="organization")
    role_objs = _validate_roles(organization, roles)
    if not role_objs:
        raise ValidationFailed(_("用户至少需要一个角色"), field="roles")
    user = User(
        username=username,
        organization=organization,
        display_name=display_name,
        email=email,
        phone=phone,
        is_staff=is_staff,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise_first_error(exc)
    user.save()
    user.roles.set(role_objs)
    user.forget_roles()
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str], by: User | None = None) -> User:
    if by is not None:
        require(by, "user.manage_own_organization")
    role_objs = _validate_roles(user.organization, roles)
    if not role_objs:
        raise ValidationFailed(_("用户至少需要一个角色"), field="roles")
    user.roles.set(role_objs)
    user.forget_roles()
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str) -> User:
    """A new password, checked by the configured validators. Saving it revokes every API token of the user
    (User.save): whoever held one knew, or was given it under, the old password."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed("；".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


# --- API tokens (accounts.ApiToken; docs/security-tokens.md) ------------------------------------------------------


@transaction.atomic
def token_sign_in(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A sign-in token for a user who just gave their password: (the stored token, the token itself, shown once).
    The user's expired tokens go, and the oldest sign-in tokens beyond API_TOKEN_SIGN_IN_MAX_PER_USER: a client that
    signs in for every call does not fill the table."""
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    api_token, token = ApiToken.objects.create(
        user=user, expiry=knox_settings.TOKEN_TTL, kind=ApiToken.Kind.SIGN_IN, name=name[:100]
    )
    kept = ApiToken.objects.filter(user=user, kind=ApiToken.Kind.SIGN_IN).order_by("-created", "-pk")
    surplus = kept.values_list("pk", flat=True)[settings.API_TOKEN_SIGN_IN_MAX_PER_USER :]
    ApiToken.objects.filter(pk__in=list(surplus)).delete()
    return api_token, token


@transaction.atomic
def token_create_integration(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A named token for a system of the user's organisation (a hospital's HIS, a company's ERP), valid `days` days
    (default API_TOKEN_INTEGRATION_DEFAULT_DAYS, at most API_TOKEN_INTEGRATION_MAX_DAYS)."""
    name = name.strip()
    if not name:
        raise ValidationFailed(_("请填写令牌名称，例如对接的系统"), field="name")
    days = settings.API_TOKEN_INTEGRATION_DEFAULT_DAYS if days is None else days
    longest = settings.API_TOKEN_INTEGRATION_MAX_DAYS
    if not 1 <= days <= longest:
        raise ValidationFailed(
            _("有效期应为 1 至 %(days)s 天") % {"days": longest}, field="expires_in_days", code="token_lifetime"
        )
    if selectors.api_tokens_of(user).filter(kind=ApiToken.Kind.INTEGRATION, name=name).exists():
        raise ValidationFailed(_("已有名为“%(name)s”的有效令牌") % {"name": name}, field="name", code="duplicate")
    return ApiToken.objects.create(user=user, expiry=timedelta(days=days), kind=ApiToken.Kind.INTEGRATION, name=name)


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    """Ends one token at once: the next request with it is refused."""
    token.delete()


@transaction.atomic
def token_revoke_all(*, user: User) -> int:
    """Ends every API token of the user (sign-in and integration); how many there were. For a user or organisation
    being deactivated; a new password does it by itself (User.save)."""
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    return deleted
