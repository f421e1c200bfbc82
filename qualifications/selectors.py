"""Reads of qualifications: what an organisation or product holds, what is valid on a day, what expires soon.

Other apps ask here (procurement's listing applications and qualification watch; consumable tenders for the
registration certificate of a product): `valid_registration(product, on=day)`, `valid_licence(...)`,
`ensure_listable(product, on=day)`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can, is_official
from catalog.models import Product
from common.errors import ValidationFailed

from .errors import QualificationError
from .models import Qualification

K = Qualification.Kind

#: Kinds an organisation of each kind may hold (per organisation or, for makers, per product).
KINDS_BY_ORGANIZATION = {
    "manufacturer": (
        K.BUSINESS_LICENCE,
        K.DRUG_MANUFACTURING,
        K.DEVICE_MANUFACTURING,
        K.DRUG_APPROVAL,
        K.DEVICE_REGISTRATION,
    ),
    "distributor": (K.BUSINESS_LICENCE, K.DRUG_DISTRIBUTION, K.DEVICE_DISTRIBUTION),
}


#: 中药饮片 / 蒙药饮片 carry no 批准文号 in general (they are made under the production licence's 饮片 scope): no
#: registration certificate is required to list them.
REGISTRATION_EXEMPT_CATEGORIES = frozenset({"tcm_pieces", "mongolian_pieces"})


def required_licence_kind(product: Product) -> str:
    """The maker's production licence a product needs: 药品生产许可证 for drugs, 医疗器械生产许可证 otherwise."""
    return K.DRUG_MANUFACTURING if product.is_drug else K.DEVICE_MANUFACTURING


def registration_kind(product: Product) -> str:
    return K.DRUG_APPROVAL if product.is_drug else K.DEVICE_REGISTRATION


def valid_on(day: date) -> Q:
    """Rows valid on `day` (a renewal is a new row; any valid row will do)."""
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def valid_licence(organization_id: int, kind: str, *, on: date | None = None) -> Qualification | None:
    """The organisation's licence of `kind` valid on the day (the one lasting longest), or None."""
    on = on or timezone.localdate()
    rows = Qualification.objects.filter(valid_on(on), organization_id=organization_id, kind=kind, product__isnull=True)
    return rows.order_by("-valid_to", "-id").first()


def valid_registration(product: Product, *, on: date | None = None) -> Qualification | None:
    """The product's registration certificate (批准文号 / 注册证) valid on the day, or None."""
    on = on or timezone.localdate()
    rows = Qualification.objects.filter(valid_on(on), product=product, kind=registration_kind(product))
    return rows.order_by("-valid_to", "-id").first()


def _ensure(row: Qualification | None, *, held: QuerySet, field: str, codes: tuple, labels: tuple) -> None:
    if row is not None:
        return
    last = held.order_by("-valid_to").first()
    if last is None:
        raise ValidationFailed(labels[0], field=field, code=codes[0])
    raise ValidationFailed(labels[1] % {"number": last.number, "date": last.valid_to}, field=field, code=codes[1])


def ensure_listable(product: Product, *, on: date | None = None) -> None:
    """A product may be listed only while its maker's production licence and its registration are valid.
    Raises ValidationFailed naming what is missing or expired."""
    on = on or timezone.localdate()
    kind = required_licence_kind(product)
    licence_label = K(kind).label
    _ensure(
        valid_licence(product.manufacturer_id, kind, on=on),
        held=Qualification.objects.filter(organization_id=product.manufacturer_id, kind=kind, product__isnull=True),
        field="licence",
        codes=(QualificationError.LICENCE_MISSING, QualificationError.LICENCE_EXPIRED),
        labels=(
            _("企业未登记有效的%(kind)s，请先在“资质证照”中上传") % {"kind": licence_label},
            _("企业的%(kind)s（%%(number)s）已于 %%(date)s 过期，请先上传换发后的证照") % {"kind": licence_label},
        ),
    )
    if product.category in REGISTRATION_EXEMPT_CATEGORIES:
        return
    reg_label = K(registration_kind(product)).label
    _ensure(
        valid_registration(product, on=on),
        held=Qualification.objects.filter(product=product, kind=registration_kind(product)),
        field="registration",
        codes=(QualificationError.REGISTRATION_MISSING, QualificationError.REGISTRATION_EXPIRED),
        labels=(
            _("该产品未登记有效的%(kind)s，请先在“资质证照”中上传") % {"kind": reg_label},
            _("该产品的%(kind)s（%%(number)s）已于 %%(date)s 过期") % {"kind": reg_label},
        ),
    )


def qualifications_visible_to(user) -> QuerySet[Qualification]:
    """An organisation's own rows; every row for officials who may see them; nothing for anyone else."""
    rows = Qualification.objects.select_related("organization", "product__manufacturer")
    if is_official(user) and can(user, "qualification.view_all"):
        return rows
    if not getattr(user, "organization_id", None):
        return rows.none()
    return rows.filter(organization_id=user.organization_id)


def superseded() -> Exists:
    """A later row of the same holder, kind and product that is valid the day after this one ends (a renewal)."""
    # a renewal may start on the day after the old one ends
    day_after = ExpressionWrapper(OuterRef("valid_to") + timedelta(days=1), output_field=DateField())
    later = Qualification.objects.filter(
        organization_id=OuterRef("organization_id"),
        kind=OuterRef("kind"),
        valid_from__lte=day_after,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("valid_to")))
    # Registration kinds always carry a product, licence kinds never (a CHECK constraint): the same kind then means
    # the same product, or no product on either side.
    same_product = Q(product_id=OuterRef("product_id")) | Q(product__isnull=True)
    return Exists(later.filter(same_product).exclude(pk=OuterRef("pk")))


def expiring(*, on: date | None = None, within_days: int = 60) -> QuerySet[Qualification]:
    """Rows ending within the days (from `on`), not yet renewed by a later row: what the watch warns about."""
    on = on or timezone.localdate()
    rows = Qualification.objects.filter(valid_to__gte=on, valid_to__lte=on + timedelta(days=within_days))
    rows = rows.annotate(renewed=superseded()).filter(renewed=False)
    return rows.select_related("organization", "product__manufacturer").order_by("valid_to", "pk")
