"""Write use cases of the catalog. Every change is validated in full and leaves a history entry."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.permissions import require
from common.errors import CommonError, ValidationFailed

from .errors import CatalogError
from .models import Product
from .rules import clean_product_fields

EDITABLE_FIELDS = {f.name for f in Product._meta.concrete_fields if not f.generated} - {
    "id",
    "created_at",
    "updated_at",
    "name_pinyin",
    "name_initials",
}


def _model_data(product: Product) -> dict:
    data = {
        f: getattr(product, f) for f in EDITABLE_FIELDS if not f.endswith("manufacturer") and f != "preparing_hospital"
    }
    data["manufacturer_id"] = product.manufacturer_id
    data["preparing_hospital_id"] = product.preparing_hospital_id
    return data


# The code of a product field's problem (catalog.rules reports messages per field); text limits, control
# characters and missing values are the generic `invalid`.
_FIELD_CODES = {
    "category": CatalogError.INVALID_CATEGORY,
    "nhsa_code": CatalogError.INVALID_CODE,
    "approval_number": CatalogError.INVALID_APPROVAL_NUMBER,
    "standard_code": CatalogError.INVALID_STANDARD_CODE,
    "udi_di": CatalogError.INVALID_UDI_DI,
    "pack_size": CatalogError.INVALID_PACK_SIZE,
    "insurance_class": CatalogError.INVALID_INSURANCE_CLASS,
    "name_mn": CatalogError.INVALID_MONGOLIAN_NAME,
    "insurance_to": CatalogError.DATES_REVERSED,
    "negotiated_to": CatalogError.DATES_REVERSED,
}


def _raise_first(errors: dict[str, str]) -> None:
    field, message = next(iter(errors.items()))
    raise ValidationFailed(message, field=field, code=_FIELD_CODES.get(field, CommonError.INVALID))


def _refuse_unknown(fields) -> None:
    unknown = set(fields) - EDITABLE_FIELDS - {"manufacturer_id", "preparing_hospital_id"}
    if unknown:
        raise ValidationFailed(
            _("未知字段：%(items)s") % {"items": "、".join(sorted(unknown))}, code=CatalogError.UNKNOWN_FIELD
        )


def _check_unique_code(code: str, exclude_pk: int | None) -> None:
    qs = Product.objects.filter(nhsa_code=code)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    holder = qs.only("generic_name").first()
    if holder:
        raise ValidationFailed(
            _("医保代码 %(code)s 已被产品“%(generic_name)s”使用") % {"code": code, "generic_name": holder.generic_name},
            field="nhsa_code",
            code=CatalogError.DUPLICATE_CODE,
        )


def _check_parties(product: Product) -> None:
    if product.manufacturer_id is None:
        raise ValidationFailed(_("生产企业不能为空"), field="manufacturer", code=CommonError.REQUIRED)
    maker = Organization.objects.filter(pk=product.manufacturer_id).first()
    if maker is None:
        raise ValidationFailed(
            _("生产企业 %(manufacturer_id)s 不存在") % {"manufacturer_id": product.manufacturer_id},
            field="manufacturer",
            code=CatalogError.MANUFACTURER_NOT_FOUND,
        )
    if maker.kind != "manufacturer":
        raise ValidationFailed(
            _("“%(name)s”不是生产企业") % {"name": maker.name},
            field="manufacturer",
            code=CatalogError.NOT_A_MANUFACTURER,
        )
    if product.preparing_hospital_id:
        hospital = Organization.objects.filter(pk=product.preparing_hospital_id).first()
        if hospital is None:
            raise ValidationFailed(
                _("配制医疗机构 %(preparing_hospital_id)s 不存在")
                % {"preparing_hospital_id": product.preparing_hospital_id},
                field="preparing_hospital",
                code=CatalogError.PREPARING_HOSPITAL_NOT_FOUND,
            )
        if hospital.kind != "hospital":
            raise ValidationFailed(
                _("“%(name)s”不是医疗机构") % {"name": hospital.name},
                field="preparing_hospital",
                code=CatalogError.NOT_A_HOSPITAL,
            )


@transaction.atomic
def product_create(*, by=None, **fields) -> Product:
    if by is not None:
        require(by, "catalog.manage")
    _refuse_unknown(fields)
    cleaned, errors = clean_product_fields(fields)
    if errors:
        _raise_first(errors)
    _check_unique_code(cleaned["nhsa_code"], None)
    product = Product(**cleaned)
    _check_parties(product)
    if by is not None:
        product._history_user = by
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:
        raise ValidationFailed(
            _("产品数据违反约束：%(exc)s") % {"exc": exc}, code=CatalogError.CONSTRAINT_VIOLATED
        ) from exc
    return product


@transaction.atomic
def product_update(*, product: Product, by=None, reason: str = "", **changes) -> Product:
    """Change a product; unchanged values leave no history entry."""
    if by is not None:
        require(by, "catalog.manage")
    locked = Product.objects.select_for_update().get(pk=product.pk)
    _refuse_unknown(changes)
    data = _model_data(locked)
    for key, value in changes.items():
        if key in ("manufacturer", "preparing_hospital"):
            data[f"{key}_id"] = value.pk if value is not None else None
        else:
            data[key] = value
    cleaned, errors = clean_product_fields(data)
    if errors:
        _raise_first(errors)
    _check_unique_code(cleaned["nhsa_code"], locked.pk)
    changed = [k for k, v in cleaned.items() if getattr(locked, k) != v]
    if not changed:
        return locked
    for key in changed:
        setattr(locked, key, cleaned[key])
    _check_parties(locked)
    if by is not None:
        locked._history_user = by
    locked._change_reason = reason or "更新产品信息"
    locked.save()
    return locked


@transaction.atomic
def product_set_active(*, product: Product, active: bool, by=None, reason: str = "") -> Product:
    return product_update(product=product, by=by, reason=reason or ("启用" if active else "停用"), is_active=active)
