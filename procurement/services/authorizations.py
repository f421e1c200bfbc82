"""配送关系: a manufacturer authorises distributors to deliver its products in regions; it can revoke them.

A sanction can also suspend an authorisation (`authorization_suspend`) and lift the suspension
(`authorization_reinstate`): the caller (pricing's credit records) checks its own capability; a suspended
authorisation is inactive, so no order goes through it, and says why."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, Region
from accounts.permissions import is_official, require
from catalog.models import Product
from common.models import record_event

from ..errors import ConflictError, OrderError, PermissionDeniedError, ValidationFailed
from ..models import DistributionAuthorization


@transaction.atomic
def authorization_grant(
    *, by, product: Product, distributor: Organization, regions, valid_from: date, valid_to: date | None = None
) -> DistributionAuthorization:
    """The product's manufacturer (or a platform admin) authorises a distributor in the given regions."""
    require(by, "authorization.manage")
    if not is_official(by) and product.manufacturer_id != by.organization_id:
        raise PermissionDeniedError(_("只能为本企业的产品授权配送企业"), code=OrderError.NOT_OWN_PRODUCT)
    if distributor is None or distributor.kind != Organization.Kind.DISTRIBUTOR or not distributor.is_active:
        raise ValidationFailed(_("请选择有效的配送企业"), field="distributor", code=OrderError.DISTRIBUTOR_INVALID)
    regions = list(regions or [])
    if not regions or not all(isinstance(r, Region) for r in regions):
        raise ValidationFailed(_("请至少选择一个配送区域"), field="regions", code=OrderError.REGIONS_REQUIRED)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(_("有效期止不能早于有效期起"), field="valid_to", code=OrderError.VALIDITY_REVERSED)
    if DistributionAuthorization.objects.filter(
        manufacturer_id=product.manufacturer_id, distributor=distributor, product=product, valid_from=valid_from
    ).exists():
        raise ConflictError(
            _("该配送企业对该产品已有同日生效的授权"), field="valid_from", code=OrderError.AUTHORIZATION_EXISTS
        )
    auth = DistributionAuthorization.objects.create(
        manufacturer_id=product.manufacturer_id,
        distributor=distributor,
        product=product,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=by,
    )
    auth.regions.set(regions)
    record_event(auth, "granted", by=by, data={"regions": [r.code for r in regions]})
    return auth


@transaction.atomic
def authorization_revoke(*, authorization: DistributionAuthorization, by, reason: str) -> DistributionAuthorization:
    require(by, "authorization.manage")
    auth = DistributionAuthorization.objects.select_for_update().get(pk=authorization.pk)
    if not is_official(by) and auth.manufacturer_id != by.organization_id:
        raise PermissionDeniedError(_("只能撤销本企业的授权"), code=OrderError.NOT_OWN_PRODUCT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写撤销原因"), field="reason", code=OrderError.REASON_REQUIRED)
    if not auth.is_active:
        raise ConflictError(_("该授权已撤销"), field="is_active", code=OrderError.AUTHORIZATION_INACTIVE)
    auth.is_active, auth.revoke_reason = False, reason[:300]
    auth._change_reason = reason
    auth.save(update_fields=["is_active", "revoke_reason"])
    record_event(auth, "revoked", by=by, note=reason)
    return auth


@transaction.atomic
def authorization_suspend(*, authorization: DistributionAuthorization, by, reason: str) -> DistributionAuthorization:
    """Suspend an active authorisation for a sanction, with its reason; audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写暂停原因"), field="reason", code=OrderError.REASON_REQUIRED)
    auth = DistributionAuthorization.objects.select_for_update().get(pk=authorization.pk)
    if not auth.is_active:
        raise ConflictError(_("该授权已撤销或已暂停"), field="is_active", code=OrderError.AUTHORIZATION_INACTIVE)
    auth.is_active, auth.suspended_reason = False, reason[:300]
    auth._change_reason = reason
    auth.save(update_fields=["is_active", "suspended_reason"])
    record_event(auth, "suspended", by=by, note=reason)
    return auth


@transaction.atomic
def authorization_reinstate(*, authorization: DistributionAuthorization, by, reason: str) -> DistributionAuthorization:
    """Lift a suspension (never a revocation); audited."""
    auth = DistributionAuthorization.objects.select_for_update().get(pk=authorization.pk)
    if auth.is_active or not auth.suspended_reason:
        raise ConflictError(_("该授权未被暂停"), field="is_active", code=OrderError.AUTHORIZATION_NOT_SUSPENDED)
    auth.is_active, auth.suspended_reason = True, ""
    auth._change_reason = reason
    auth.save(update_fields=["is_active", "suspended_reason"])
    record_event(auth, "reinstated", by=by, note=reason)
    return auth
