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

from common.errors import CommonError, ConflictError, ValidationFailed
from common.models import record_event

from . import hooks, selectors
from .errors import AccountsError
from .models import ApiToken, Organization, Role, User
from .permissions import ROLE_ORG_KIND, RoleCode, require


def raise_first_error(exc: ValidationError) -> None:
    """Turn Django's ValidationError into the domain's error, naming the first bad field."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = "；".join(m for e in errors for m in e.messages)
        label = None if field == "__all__" else field
        raise ValidationFailed(message, field=label, code=_django_code(errors)) from exc
    raise ValidationFailed("；".join(exc.messages), code=_django_code(exc.error_list)) from exc


def _django_code(errors) -> str:
    """The code of Django's first error (a field validator's, e.g. `invalid_uscc`, `unique`), else `invalid`."""
    code = next((e.code for e in errors if e.code), None)
    return code or CommonError.INVALID


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
            raise ValidationFailed(
                _("医疗机构必须填写%(items)s") % {"items": "、".join(missing)},
                field="hospital_level",
                code=AccountsError.HOSPITAL_DETAILS_REQUIRED,
            )
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
    if "is_active" in changes:
        raise ValidationFailed(
            _("机构的停用与恢复须通过停用/恢复操作并说明原因"),
            field="is_active",
            code=AccountsError.ACTIVE_NOT_EDITABLE,
        )
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
        raise ValidationFailed(
            _("未知的角色：%(items)s") % {"items": "、".join(unknown)}, field="roles", code=AccountsError.UNKNOWN_ROLE
        )
    if organization is not None:
        wrong = [roles[c].name for c in codes if ROLE_ORG_KIND.get(c) != organization.kind]
        if wrong:
            raise ValidationFailed(
                _("角色“%(items)s”不适用于%(kind)s“%(name)s”")
                % {"items": "、".join(wrong), "kind": organization.get_kind_display(), "name": organization.name},
                field="roles",
                code=AccountsError.ROLE_NOT_FOR_ORGANIZATION,
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
            raise ValidationFailed(
                _("只能为本机构创建用户"), field="organization", code=AccountsError.OTHER_ORGANIZATION
            )
    if organization is None:
        raise ValidationFailed(
            _("用户必须属于一个机构"), field="organization", code=AccountsError.ORGANIZATION_REQUIRED
        )
    if not organization.is_active:
        raise ValidationFailed(
            _("机构“%(name)s”已停用，不能添加用户") % {"name": organization.name},
            field="organization",
            code=AccountsError.ORGANIZATION_INACTIVE,
        )
    role_objs = _validate_roles(organization, roles)
    if not role_objs:
        raise ValidationFailed(_("用户至少需要一个角色"), field="roles", code=AccountsError.ROLE_REQUIRED)
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


# --- deactivation -----------------------------------------------------------------------------------------------


def active_platform_admins():
    """Users who can run the platform: active, holding the platform administrator role, in an active organisation."""
    return User.objects.filter(
        is_active=True, roles__code=RoleCode.PLATFORM_ADMIN, organization__is_active=True
    ).distinct()


def ensure_may_deactivate(organization: Organization) -> None:
    """The platform's own agency (an agency whose users include an active platform administrator) is never
    deactivated: no one would be left to reactivate anything."""
    if (
        organization.kind == Organization.Kind.AGENCY
        and active_platform_admins().filter(organization=organization).exists()
    ):
        raise ConflictError(
            _("“%(name)s”是平台自身的医保部门/采购中心（有平台管理员），不能停用") % {"name": organization.name},
            field="organization",
            code=AccountsError.PLATFORM_AGENCY,
        )


def ensure_platform_keeps_an_admin(user: User) -> None:
    """Refuse to deactivate (or strip the role of) the last active platform administrator."""
    if (
        user.is_active
        and active_platform_admins().filter(pk=user.pk).exists()
        and not active_platform_admins().exclude(pk=user.pk).exists()
    ):
        raise ConflictError(
            _("“%(name)s”是最后一位平台管理员，不能停用") % {"name": user.username},
            field="user",
            code=AccountsError.LAST_PLATFORM_ADMIN,
        )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写原因"), field="reason", code=CommonError.REQUIRED)
    if len(reason) > 300:
        raise ValidationFailed(_("原因最多 300 个字"), field="reason", code=CommonError.TOO_LONG)
    return reason


def revoke_api_tokens(*, user_ids: list[int]) -> int:
    """Revoke every API token (sign-in and integration) of these users; returns how many there were."""
    deleted, _detail = ApiToken.objects.filter(user_id__in=user_ids).delete()
    return deleted


def _set_active(organization: Organization, *, active: bool, by: User | None, reason: str) -> Organization:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if org.is_active == active:
        state = _("有效") if active else _("已停用")
        raise ConflictError(
            _("机构“%(name)s”已是“%(state)s”状态") % {"name": org.name, "state": state},
            field="is_active",
            code=AccountsError.ALREADY_ACTIVE if active else AccountsError.ALREADY_INACTIVE,
        )
    org.is_active = active
    org._change_reason = reason  # the history row says why as well
    org._history_user = by if getattr(by, "pk", None) else None
    org.save(update_fields=["is_active", "updated_at"])
    return org


@transaction.atomic
def organization_deactivate(*, organization: Organization, by: User | None, reason: str) -> Organization:
    """停用机构. From the next request on its users can neither sign in nor act (sessions and API tokens included:
    see accounts.permissions.organization_is_active); their API tokens are revoked. What it leaves behind is decided
    by the apps that own it (accounts.hooks): the manufacturer's listings are suspended, its bids in a tender still
    bidding are invalid at opening, a distributor's open orders are flagged for their hospitals to redirect, and the
    fund still pays what it owes (its officers act for the organisation). Audited: who, when, why."""
    if by is not None:
        require(by, "organization.manage")
    reason = _reason(reason)
    ensure_may_deactivate(organization)
    org = _set_active(organization, active=False, by=by, reason=reason)
    user_ids = list(org.users.values_list("pk", flat=True))
    outcome = {"users": len(user_ids), "tokens_revoked": revoke_api_tokens(user_ids=user_ids)}
    outcome.update(hooks.run(hooks.deactivated_handlers, org, by=by, reason=reason))
    record_event(org, "deactivated", by=by, from_state="active", to_state="inactive", note=reason, data=outcome)
    return org


@transaction.atomic
def organization_reactivate(*, organization: Organization, by: User | None, reason: str) -> Organization:
    """恢复机构. Its users may sign in again (with new API tokens). Listings suspended at the deactivation stay
    suspended until an official reinstates each; bids made invalid at an opening stay invalid. Audited."""
    if by is not None:
        require(by, "organization.manage")
    reason = _reason(reason)
    org = _set_active(organization, active=True, by=by, reason=reason)
    outcome = hooks.run(hooks.reactivated_handlers, org, by=by, reason=reason)
    record_event(org, "reactivated", by=by, from_state="inactive", to_state="active", note=reason, data=outcome)
    return org


@transaction.atomic
def user_set_active(*, user: User, active: bool, by: User | None, reason: str = "") -> User:
    """停用/启用用户 (from the admin, whose model permissions decide who may): the last platform administrator is never
    deactivated. Deactivating revokes the API tokens."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not active:
        ensure_platform_keeps_an_admin(user)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            revoke_api_tokens(user_ids=[user.pk])
        record_event(user, "activated" if active else "deactivated", by=by, note=(reason or "").strip()[:300])
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str) -> User:
    """A new password, checked by the configured validators. Saving it revokes every API token of the user
    (User.save): whoever held one knew, or was given it under, the old password."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed("；".join(exc.messages), field="password", code=AccountsError.PASSWORD_REJECTED) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


# --- API tokens (accounts.ApiToken; docs/security.md) ------------------------------------------------------


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
        raise ValidationFailed(_("请填写令牌名称，例如对接的系统"), field="name", code=CommonError.REQUIRED)
    days = settings.API_TOKEN_INTEGRATION_DEFAULT_DAYS if days is None else days
    longest = settings.API_TOKEN_INTEGRATION_MAX_DAYS
    if not 1 <= days <= longest:
        raise ValidationFailed(
            _("有效期应为 1 至 %(days)s 天") % {"days": longest},
            field="expires_in_days",
            code=AccountsError.TOKEN_LIFETIME,
        )
    if selectors.api_tokens_of(user).filter(kind=ApiToken.Kind.INTEGRATION, name=name).exists():
        raise ValidationFailed(
            _("已有名为“%(name)s”的有效令牌") % {"name": name}, field="name", code=AccountsError.DUPLICATE_TOKEN_NAME
        )
    return ApiToken.objects.create(user=user, expiry=timedelta(days=days), kind=ApiToken.Kind.INTEGRATION, name=name)


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    """Ends one token at once: the next request with it is refused."""
    token.delete()
