"""A consumable tender's rules (from a batch's preset) and each lot's bid unit, pricing and product system."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext

from accounts.permissions import require
from catalog.models import HighValueClass
from common.errors import ConflictError, ValidationFailed
from common.models import record_event

from ....errors import TenderError
from ....evaluation.consumables import ConsumableRules
from ....models import ConsumableLot, ConsumableTender, Lot, Tender
from ..state import RULES_LOCKED_FROM, lock_tender, refuse_imported


def ensure_consumable_tender(tender: Tender) -> None:
    if tender.kind != Tender.Kind.CONSUMABLES:
        raise ConflictError(
            gettext("批次“%(code)s”不是医用耗材批次") % {"code": tender.code}, code=TenderError.NOT_CONSUMABLE_TENDER
        )


def consumable_rules(tender: Tender) -> ConsumableRules:
    """The tender's stored rules; a consumable tender without its own rules uses the defaults of ``ConsumableRules``."""
    stored = ConsumableTender.objects.filter(tender=tender).values_list("rules", flat=True).first()
    return ConsumableRules.from_dict(stored or {})


def _parse_rules(preset: str, overrides) -> ConsumableRules:
    if not isinstance(overrides, Mapping) or not isinstance(preset, str):
        raise ValidationFailed(gettext("规则应为“规则项: 值”的对象"), field="rules", code=TenderError.INVALID_RULES)
    try:
        if preset:
            return ConsumableRules.from_preset(preset, **dict(overrides))
        return ConsumableRules.from_dict(overrides)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(str(exc), field="rules", code=TenderError.INVALID_RULES) from None


@transaction.atomic
def consumable_rules_set(*, tender: Tender, by, preset: str = "", overrides: dict | None = None) -> ConsumableTender:
    """Set a consumable tender's selection rules: a batch's preset, with the tender's own overrides."""
    require(by, "tender.manage")
    refuse_imported(tender, "set_rules")
    tender = lock_tender(tender)
    ensure_consumable_tender(tender)
    if tender.status in RULES_LOCKED_FROM:
        raise ConflictError(gettext("申报开始后不能修改中选规则"), code=TenderError.RULES_LOCKED)
    rules = _parse_rules(preset, {} if overrides is None else overrides)
    row, _ = ConsumableTender.objects.update_or_create(tender=tender, defaults={"rules": rules.to_dict()})
    record_event(tender, "consumable_rules_changed", by=by, data={"rules": row.rules})
    return row


def _clean_components(bid_unit: str, components) -> list[dict]:
    if bid_unit == ConsumableLot.BidUnit.REGISTRATION:
        if components:
            raise ValidationFailed(
                gettext("按注册证申报的品种不设系统部件"), field="components", code=TenderError.INVALID_BID_UNIT
            )
        return []
    cleaned, seen = [], set()
    for item in components or []:
        role = str(item.get("role") or "").strip()
        if not role or role in seen:
            raise ValidationFailed(
                gettext("系统部件名称不能为空或重复：“%(role)s”") % {"role": role},
                field="components",
                code=TenderError.INVALID_BID_UNIT,
            )
        seen.add(role)
        cleaned.append({"role": role, "required": bool(item.get("required", True))})
    if not any(c["required"] for c in cleaned):
        raise ValidationFailed(
            gettext("按产品系统申报的品种至少应有一个必备部件"), field="components", code=TenderError.INVALID_BID_UNIT
        )
    return cleaned


def _check_choices(bid_unit: str, price_basis: str, high_value_class: str) -> None:
    for value, choices, name in (
        (bid_unit, ConsumableLot.BidUnit.values, "bid_unit"),
        (price_basis, ConsumableLot.PriceBasis.values, "price_basis"),
        (high_value_class, [*HighValueClass.values, ""], "high_value_class"),
    ):
        if value not in choices:
            raise ValidationFailed(
                gettext("“%(value)s”不是有效的选项") % {"value": value}, field=name, code=TenderError.INVALID_BID_UNIT
            )


@transaction.atomic
def consumable_lot_configure(
    *,
    lot: Lot,
    by,
    consumable_class: str,
    bid_unit: str = ConsumableLot.BidUnit.REGISTRATION,
    price_basis: str = ConsumableLot.PriceBasis.UNIT,
    components: list[dict] | None = None,
    high_value_class: str = "",
    system_category: str = "",
    material_group: str = "",
) -> ConsumableLot:
    """Say what a consumable lot groups (class, system category, material/function group) and how it is bid."""
    require(by, "tender.manage")
    refuse_imported(lot.tender, "configure_lot")
    tender = lock_tender(lot.tender)
    ensure_consumable_tender(tender)
    if tender.status in RULES_LOCKED_FROM:
        raise ConflictError(gettext("申报开始后不能修改品种设置"), code=TenderError.LOTS_LOCKED)
    _check_choices(bid_unit, price_basis, high_value_class)
    consumable_class = (consumable_class or "").strip()
    if not consumable_class:
        raise ValidationFailed(gettext("请填写耗材分类"), field="consumable_class", code=TenderError.INVALID_BID_UNIT)
    cleaned = _clean_components(bid_unit, components)
    Lot.objects.filter(pk=lot.pk).update(consumable_class=consumable_class)
    lot.consumable_class = consumable_class
    row, _ = ConsumableLot.objects.update_or_create(
        lot=lot,
        defaults={
            "bid_unit": bid_unit,
            "price_basis": price_basis,
            "components": cleaned,
            "high_value_class": high_value_class,
            "system_category": system_category.strip(),
            "material_group": material_group.strip(),
        },
    )
    record_event(tender, "consumable_lot_configured", by=by, data={"lot": lot.number, "bid_unit": bid_unit})
    return row
