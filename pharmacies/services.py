"""The writes of pharmacies: an official designates a 双通道 pharmacy for a pooling region, or revokes a designation.
Each in a transaction, refusing a bad input with a `PharmacyError` naming the field (nothing written), and leaving an
audit row (common.models.record_event)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Organization, Region
from accounts.permissions import require
from catalog.models import Product
from common.errors import ConflictError, NotFoundError, ValidationFailed
from common.models import record_event
from common.numbers import parse_id
from common.text import check_text

from .errors import PharmacyError
from .models import DualChannelPharmacy

REASON_MAX = DualChannelPharmacy._meta.get_field("revoke_reason").max_length


def parse_day(value, *, field: str, label) -> date | None:
    """A date from ISO text (YYYY-MM-DD), a date or nothing; a 400 naming the field otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(
            gettext("%(label)s“%(value)s”不是有效日期（YYYY-MM-DD）") % {"label": label, "value": value},
            field=field,
            code=PharmacyError.INVALID_FILTER,
        ) from None


def _pharmacy(value) -> Organization:
    pk = value.pk if isinstance(value, Organization) else parse_id(value, field="pharmacy", label=gettext_lazy("药店"))
    pharmacy = Organization.objects.select_related("region").filter(pk=pk, kind=Organization.Kind.PHARMACY).first()
    if pharmacy is None:
        raise ValidationFailed(gettext("定点零售药店不存在"), field="pharmacy", code=PharmacyError.PHARMACY_UNKNOWN)
    if not pharmacy.is_active:
        raise ValidationFailed(
            gettext("药店“%(name)s”已停用，不能认定") % {"name": pharmacy.name},
            field="pharmacy",
            code=PharmacyError.PHARMACY_INACTIVE,
        )
    return pharmacy


def _region(value, pharmacy: Organization) -> Region:
    pk = value.pk if isinstance(value, Region) else parse_id(value, field="region", label=gettext_lazy("统筹区"))
    region = Region.objects.filter(pk=pk, level=Region.Level.LEAGUE_CITY).first()
    if region is None:
        raise ValidationFailed(gettext("统筹区不存在（须为盟市）"), field="region", code=PharmacyError.REGION_UNKNOWN)
    if pharmacy.region is None or pharmacy.region.pooling_region.pk != region.pk:
        raise ValidationFailed(
            gettext("药店“%(name)s”不在%(region)s，不能由该统筹区认定")
            % {"name": pharmacy.name, "region": region.name},
            field="region",
            code=PharmacyError.REGION_MISMATCH,
        )
    return region


def _products(values) -> list[Product]:
    """The chosen products, each a national negotiated drug (one query); the field names the first one refused."""
    if not isinstance(values, (list, tuple)) or not values:
        raise ValidationFailed(
            gettext("请选择供应的谈判药，或选择“供应全部谈判药”"),
            field="products",
            code=PharmacyError.PRODUCTS_REQUIRED,
        )
    ids = [
        v.pk if isinstance(v, Product) else parse_id(v, field=f"products[{i}]", label=gettext_lazy("产品"))
        for i, v in enumerate(values)
    ]
    found = Product.objects.only("pk", "generic_name", "negotiated").in_bulk(ids)
    for i, pk in enumerate(ids):
        product = found.get(pk)
        if product is None or not product.negotiated:
            raise ValidationFailed(
                gettext("产品 %(value)s 不是国家谈判药品") % {"value": product.generic_name if product else pk},
                field=f"products[{i}]",
                code=PharmacyError.NOT_NEGOTIATED,
            )
    return [found[pk] for pk in dict.fromkeys(ids)]


@transaction.atomic
def dual_channel_designate(
    *,
    by,
    pharmacy,
    region,
    valid_from,
    valid_to=None,
    all_negotiated: bool = False,
    products=None,
) -> DualChannelPharmacy:
    """Designate `pharmacy` a 双通道 pharmacy of the pooling region `region` from `valid_from` (to `valid_to`, open
    when empty), for every negotiated drug or for the chosen ones. Refused: an unknown or inactive pharmacy, a region
    that is not the pharmacy's pooling region, reversed dates, no drugs, a product that is not negotiated, and a
    period overlapping another live designation of the pharmacy in the region."""
    require(by, "dual_channel.manage")
    pharmacy = _pharmacy(pharmacy)
    region = _region(region, pharmacy)
    start = parse_day(valid_from, field="valid_from", label=gettext_lazy("有效期起")) or timezone.localdate()
    end = parse_day(valid_to, field="valid_to", label=gettext_lazy("有效期止"))
    if end is not None and end < start:
        raise ValidationFailed(gettext("有效期止不能早于有效期起"), field="valid_to", code=PharmacyError.DATES_REVERSED)
    chosen = [] if all_negotiated else _products(products)
    overlapping = DualChannelPharmacy.objects.select_for_update().filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start), pharmacy=pharmacy, region=region, revoked_at__isnull=True
    )
    if end is not None:
        overlapping = overlapping.filter(valid_from__lte=end)
    if overlapping.exists():
        raise ConflictError(
            gettext("药店“%(name)s”在该期间已是%(region)s的双通道定点药店")
            % {"name": pharmacy.name, "region": region.name},
            field="valid_from",
            code=PharmacyError.OVERLAPPING,
        )
    designation = DualChannelPharmacy.objects.create(
        pharmacy=pharmacy,
        region=region,
        all_negotiated=bool(all_negotiated),
        valid_from=start,
        valid_to=end,
        designated_by=by,
    )
    if chosen:
        designation.products.set(chosen)
    record_event(
        designation,
        "designated",
        by=by,
        to_state="designated",
        data={
            "pharmacy": pharmacy.pk,
            "region": region.pk,
            "all_negotiated": bool(all_negotiated),
            "products": [p.pk for p in chosen],
            "valid_from": start.isoformat(),
            "valid_to": end.isoformat() if end else None,
        },
    )
    return designation


@transaction.atomic
def dual_channel_revoke(*, by, designation: DualChannelPharmacy | int, reason: str) -> DualChannelPharmacy:
    """End a designation now, with the reason; the row stays (with who and when) for the record."""
    require(by, "dual_channel.manage")
    pk = designation.pk if isinstance(designation, DualChannelPharmacy) else designation
    designation = DualChannelPharmacy.objects.select_for_update().filter(pk=pk).first()
    if designation is None:
        raise NotFoundError(gettext("双通道认定不存在"), code=PharmacyError.PHARMACY_UNKNOWN)
    reason = check_text(
        str(reason or "").strip(), field="reason", label=gettext_lazy("撤销原因"), max_length=REASON_MAX
    )
    if not reason:
        raise ValidationFailed(gettext("请填写撤销原因"), field="reason", code=PharmacyError.REASON_REQUIRED)
    if designation.revoked_at is not None:
        raise ConflictError(gettext("该认定已撤销"), field="status", code=PharmacyError.ALREADY_REVOKED)
    designation.revoked_at = timezone.now()
    designation.revoked_by = by
    designation.revoke_reason = reason
    designation.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record_event(designation, "revoked", by=by, from_state="designated", to_state="revoked", note=reason)
    return designation
