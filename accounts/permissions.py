"""Who may do what, and which rows they see — the one place that decides it.

Roles belong to a kind of organisation (a purchaser works for a hospital, a pricing official for the
agency). Capabilities name what a user may do; every view, API endpoint and service asks `can()` or
uses the DRF permission built from it. Querysets are narrowed with `scope_to_organization()` so an
object of another organisation is simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from common.errors import CommonError, PermissionDeniedError

from .errors import AccountsError


class RoleCode(models.TextChoices):
    PURCHASER = "purchaser", gettext_lazy("医疗机构采购员")
    HOSPITAL_ADMIN = "hospital_admin", gettext_lazy("医疗机构管理员")
    MANUFACTURER_REP = "manufacturer_rep", gettext_lazy("生产企业代表")
    DISTRIBUTOR_REP = "distributor_rep", gettext_lazy("配送企业代表")
    PRICING_OFFICIAL = "pricing_official", gettext_lazy("价格招采处工作人员")
    FUND_OFFICER = "fund_officer", gettext_lazy("医保基金经办人员")
    PLATFORM_ADMIN = "platform_admin", gettext_lazy("平台管理员")
    SUPERVISOR = "supervisor", gettext_lazy("监督人员")
    PHARMACY_BUYER = "pharmacy_buyer", gettext_lazy("定点零售药店采购员")


R = RoleCode

# The kind of organisation each role belongs to.
ROLE_ORG_KIND: dict[str, str] = {
    R.PURCHASER: "hospital",
    R.HOSPITAL_ADMIN: "hospital",
    R.MANUFACTURER_REP: "manufacturer",
    R.DISTRIBUTOR_REP: "distributor",
    R.PRICING_OFFICIAL: "agency",
    R.FUND_OFFICER: "agency",
    R.PLATFORM_ADMIN: "agency",
    R.SUPERVISOR: "agency",
    R.PHARMACY_BUYER: "pharmacy",
}

# Officials of the agency see every organisation's rows (sealed bid prices excepted, see procurement).
OFFICIAL_ROLES = frozenset({R.PRICING_OFFICIAL, R.FUND_OFFICER, R.PLATFORM_ADMIN})
HOSPITAL_ROLES = frozenset({R.PURCHASER, R.HOSPITAL_ADMIN})
# A pharmacy (定点零售药店) orders and receives online like a hospital (its orders, deliveries, receipts and stock),
# within the rule of common.rules.pharmacies(); tenders, agreed volumes, contracts, direct settlement and the online
# purchase share are the hospitals' alone (docs/pharmacies.md says why, place by place).
PHARMACY_ROLES = frozenset({R.PHARMACY_BUYER})
BUYER_ROLES = HOSPITAL_ROLES | PHARMACY_ROLES

CAPABILITIES: dict[str, frozenset[str]] = {
    # organisations and users
    "organization.view_all": OFFICIAL_ROLES,
    "organization.manage": frozenset({R.PLATFORM_ADMIN}),
    "user.manage_own_organization": frozenset({R.HOSPITAL_ADMIN, R.PLATFORM_ADMIN}),
    # portals (navigation)
    "portal.purchaser": HOSPITAL_ROLES,
    "portal.manufacturer": frozenset({R.MANUFACTURER_REP}),
    "portal.distributor": frozenset({R.DISTRIBUTOR_REP}),
    "portal.official": frozenset({R.PRICING_OFFICIAL, R.PLATFORM_ADMIN}),
    "portal.fund": frozenset({R.FUND_OFFICER, R.PLATFORM_ADMIN}),
    "portal.supervisor": frozenset({R.SUPERVISOR}),
    "portal.pharmacy": PHARMACY_ROLES,
    # catalog
    "catalog.view": frozenset(RoleCode.values),
    "catalog.manage": frozenset({R.PLATFORM_ADMIN, R.PRICING_OFFICIAL}),
    "catalog.import": frozenset({R.PLATFORM_ADMIN, R.PRICING_OFFICIAL}),
    # tenders
    "tender.view": frozenset(RoleCode.values),
    "tender.manage": frozenset({R.PRICING_OFFICIAL, R.PLATFORM_ADMIN}),
    "tender.bid": frozenset({R.MANUFACTURER_REP}),
    "tender.report_demand": HOSPITAL_ROLES,
    # online ordering
    "listing.view": frozenset(RoleCode.values),
    "listing.manage": frozenset({R.PRICING_OFFICIAL, R.PLATFORM_ADMIN}),
    "listing.apply": frozenset({R.MANUFACTURER_REP}),
    "authorization.manage": frozenset({R.MANUFACTURER_REP, R.PLATFORM_ADMIN}),
    # qualifications (资质证照): companies keep their own; officials see everyone's
    "qualification.manage": frozenset({R.MANUFACTURER_REP, R.DISTRIBUTOR_REP}),
    "qualification.view_all": frozenset({R.PRICING_OFFICIAL, R.PLATFORM_ADMIN}),
    "order.view": frozenset({*BUYER_ROLES, R.DISTRIBUTOR_REP, *OFFICIAL_ROLES}),
    "order.place": BUYER_ROLES,
    "order.receive": BUYER_ROLES,
    "order.fulfil": frozenset({R.DISTRIBUTOR_REP}),
    "offplatform.import": frozenset({*HOSPITAL_ROLES, R.PLATFORM_ADMIN, R.PRICING_OFFICIAL}),
    "online_share.view": frozenset({*HOSPITAL_ROLES, *OFFICIAL_ROLES}),
    # price monitoring and credit (pricing app)
    "payment_standard.view": frozenset({*HOSPITAL_ROLES, *OFFICIAL_ROLES}),
    "payment_standard.manage": frozenset({R.PRICING_OFFICIAL, R.FUND_OFFICER}),
    "pricing.view": frozenset({R.PRICING_OFFICIAL, R.PLATFORM_ADMIN}),
    "pricing.review": frozenset({R.PRICING_OFFICIAL}),
    "pricing.import": frozenset({R.PRICING_OFFICIAL, R.PLATFORM_ADMIN}),
    "pricing.scan": frozenset({R.PRICING_OFFICIAL, R.PLATFORM_ADMIN}),
    "pricing.credit_manage": frozenset({R.PRICING_OFFICIAL}),
    "pricing.answer_inquiry": HOSPITAL_ROLES | {R.MANUFACTURER_REP, R.DISTRIBUTOR_REP},
    "pricing.own_credit": frozenset({R.MANUFACTURER_REP, R.DISTRIBUTOR_REP}),
    # direct settlement (医保基金直接结算)
    "settlement.view": frozenset({*HOSPITAL_ROLES, R.MANUFACTURER_REP, *OFFICIAL_ROLES}),
    "settlement.manage": frozenset({R.FUND_OFFICER, R.PLATFORM_ADMIN}),
    "settlement.claim": frozenset({R.MANUFACTURER_REP}),
    "settlement.confirm": HOSPITAL_ROLES,
    # objections (异议) to results and credit records, and their appeals (申诉) (transparency app)
    "transparency.object": frozenset({R.MANUFACTURER_REP, R.DISTRIBUTOR_REP}),
    "transparency.answer": frozenset({R.PRICING_OFFICIAL}),
    "transparency.decide_appeal": frozenset({R.SUPERVISOR}),
    # agreed-volume progress (完成进度): officials see every commitment, a hospital its own, a manufacturer its supply
    "progress.view_all": frozenset({R.PRICING_OFFICIAL, R.FUND_OFFICER, R.PLATFORM_ADMIN}),
    "progress.view_hospital": HOSPITAL_ROLES,
    "progress.view_manufacturer": frozenset({R.MANUFACTURER_REP}),
    "progress.compute": frozenset({R.PRICING_OFFICIAL, R.PLATFORM_ADMIN}),
    # purchase contracts (购销合同): the three parties see and sign their own, officials see all and generate them
    "contract.view": frozenset({*HOSPITAL_ROLES, R.MANUFACTURER_REP, R.DISTRIBUTOR_REP, *OFFICIAL_ROLES}),
    "contract.sign": frozenset({*HOSPITAL_ROLES, R.MANUFACTURER_REP, R.DISTRIBUTOR_REP}),
    "contract.generate": frozenset({R.PRICING_OFFICIAL, R.PLATFORM_ADMIN}),
    # 双通道 designated pharmacies (pharmacies app): officials see and designate; the public list needs no sign-in
    "dual_channel.view": frozenset({*OFFICIAL_ROLES, R.PHARMACY_BUYER}),
    "dual_channel.manage": frozenset({R.FUND_OFFICER, R.PRICING_OFFICIAL, R.PLATFORM_ADMIN}),
    # 谈判药监测: where each negotiated drug is listed and stocked, by month and region
    "negotiated.monitor": OFFICIAL_ROLES,
}


def organization_is_active(user) -> bool:
    """Whether the user's organisation lets them act: the one predicate behind sign-in (the authentication backend),
    every API request (`ActiveMember`), every page request (`accounts.middleware.InactiveOrganizationMiddleware`) and
    every capability and scope below. A user without an organisation (a system superuser) has none to lose."""
    if getattr(user, "organization_id", None) is None:
        return True
    return bool(user.organization.is_active)


def inactive_organization_message(organization) -> str:
    return _("您所在的机构“%(name)s”已停用，不能登录或使用平台。如有疑问请联系平台管理员。") % {
        "name": organization.name
    }


def may_act(user) -> bool:
    """Signed in, an active user, and a member of an active organisation."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and organization_is_active(user))


def role_codes(user) -> frozenset[str]:
    if not may_act(user):
        return frozenset()
    return user.role_codes


def is_superuser(user) -> bool:
    return bool(may_act(user) and user.is_superuser)


def is_official(user) -> bool:
    """An agency user with an official role: sees all organisations' rows."""
    if is_superuser(user):
        return True
    org = getattr(user, "organization", None)
    return bool(org and org.kind == "agency" and role_codes(user) & OFFICIAL_ROLES)


def can(user, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    if is_superuser(user):
        return True
    if getattr(user, "organization_id", None) is None:
        return False
    return bool(role_codes(user) & CAPABILITIES[capability])


def scope_to_organization(queryset: models.QuerySet, user, field: str = "organization") -> models.QuerySet:
    """Rows of the user's own organisation; every row for officials; nothing for anyone else.

    `field` is the lookup path from the queryset's model to the owning organisation; pass several
    (a tuple) when a row belongs to more than one party, e.g. an order to its hospital and distributor.
    """
    if is_official(user):
        return queryset
    org_id = getattr(user, "organization_id", None)
    if org_id is None or not may_act(user):
        return queryset.none()
    fields: Iterable[str] = (field,) if isinstance(field, str) else field
    condition = models.Q()
    for name in fields:
        condition |= models.Q(**{name: org_id})
    return queryset.filter(condition)


def require(user, capability: str) -> None:
    """Raise the domain's permission error when the user lacks the capability (services use this)."""
    if not can(user, capability):
        raise PermissionDeniedError(_("您没有执行此操作的权限"), code=CommonError.PERMISSION_DENIED)


def capability_required(capability: str):
    """Decorator for page views: 403 when the user lacks the capability."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class ActiveMember(BasePermission):
    """The default permission of every API view (REST_FRAMEWORK settings): signed in, by whatever authentication
    class, and a member of an active organisation. A deactivated organisation's user gets 403 with the reason, from
    the first request after the deactivation, whichever token or session they hold. Views that name their own
    permission classes use `HasCapability`, which is an ActiveMember first."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 (or 403 without an authenticator that challenges)
        if not organization_is_active(user):
            raise PermissionDeniedError(
                inactive_organization_message(user.organization), code=AccountsError.ORGANIZATION_INACTIVE
            )
        return True


def HasCapability(*capabilities: str) -> type[BasePermission]:  # noqa: N802 - reads like a class in views
    """A DRF permission class: an active member (see ActiveMember) holding any of the capabilities."""

    class _HasCapability(ActiveMember):
        message = _("您没有执行此操作的权限")

        def has_permission(self, request, view) -> bool:
            return super().has_permission(request, view) and any(can(request.user, c) for c in capabilities)

    _HasCapability.__name__ = f"HasCapability({', '.join(capabilities)})"
    return _HasCapability


def portals_for(user) -> list[str]:
    return [name.split(".", 1)[1] for name in CAPABILITIES if name.startswith("portal.") and can(user, name)]
