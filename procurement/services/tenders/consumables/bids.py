"""Sealed consumable bids: per registration certificate (one product) or per product system (its components).

The price is sealed like a drug bid's (procurement.sealing) and the same deadline, replace and withdraw rules apply;
what is checked here first: the tender is a consumable tender, every product is a consumable of the lot, is the
bidder's own and has a valid registration certificate (``registration_ok``), and a system bid lists every required
component. A bad bid writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.permissions import can
from common.errors import ConflictError, PermissionDeniedError, ValidationFailed
from common.numbers import parse_int

from ....errors import TenderError
from ....models import Bid, BidComponent, ConsumableBid, ConsumableLot, Lot
from ..bids import _lock_open_for_bids, _new_bid  # the drug path's sealing and locking, shared on purpose
from ..lifecycle import parse_price
from ..state import refuse_imported
from .products import lot_setup, product_problem
from .registration import registration_problem
from .setup import ensure_consumable_tender


@dataclass(frozen=True)
class Component:
    """A component of a product-system bid: its role in the lot's system, the product, how many per system."""

    role: str
    product: object
    quantity: int = 1


def _check_product(lot: Lot, setup: ConsumableLot, product, by, field: str) -> None:
    if product.manufacturer_id != by.organization_id:
        raise ValidationFailed(gettext("只能以本企业的产品申报"), field=field, code=TenderError.NOT_OWN_PRODUCT)
    problem = product_problem(lot, setup, product)
    if problem:
        raise ValidationFailed(problem, field=field, code=TenderError.NOT_CONSUMABLE_PRODUCT)
    problem = registration_problem(product, timezone.localdate())
    if problem:
        raise ValidationFailed(
            gettext("申报产品须持有有效的医疗器械注册证：%(problem)s") % {"problem": problem},
            field=field,
            code=TenderError.REGISTRATION_INVALID,
        )


def _check_components(lot: Lot, setup: ConsumableLot, components: list[Component], by) -> None:
    roles = set(setup.roles)
    for index, component in enumerate(components):
        field = f"components[{index}]"
        if component.role not in roles:
            raise ValidationFailed(
                gettext("“%(role)s”不是本品种产品系统的部件（应为：%(roles)s）")
                % {"role": component.role, "roles": "、".join(setup.roles)},
                field=field,
                code=TenderError.UNKNOWN_COMPONENT_ROLE,
            )
        if not isinstance(component.quantity, int) or component.quantity < 1:
            raise ValidationFailed(gettext("每套数量应为正整数"), field=field, code=TenderError.INVALID_BID_UNIT)
        _check_product(lot, setup, component.product, by, field)
    present = {c.role for c in components}
    missing = [role for role in setup.required_roles if role not in present]
    if missing:
        raise ValidationFailed(
            gettext("产品系统缺少必备部件：%(roles)s") % {"roles": "、".join(missing)},
            field="components",
            code=TenderError.SYSTEM_COMPONENT_MISSING,
        )


def _check_inputs(*, lot: Lot, setup: ConsumableLot, product, components, price, supply_capacity, by):
    if not can(by, "tender.bid"):
        raise PermissionDeniedError(gettext("只有生产企业可以申报"), code=TenderError.NOT_MANUFACTURER)
    ensure_consumable_tender(lot.tender)
    if setup.bid_unit == ConsumableLot.BidUnit.SYSTEM:
        if not components:
            raise ValidationFailed(
                gettext("本品种按产品系统申报，请列出系统部件"),
                field="components",
                code=TenderError.SYSTEM_COMPONENT_MISSING,
            )
        _check_components(lot, setup, components, by)
        product = components[0].product
    else:
        if product is None or components:
            raise ValidationFailed(
                gettext("本品种按注册证申报，请选择一个产品（一个注册证）"),
                field="product",
                code=TenderError.INVALID_BID_UNIT,
            )
        _check_product(lot, setup, product, by, "product")
    price = parse_price(price)
    if price > lot.max_price:
        raise ValidationFailed(gettext("报价高于本品种最高有效申报价"), field="price", code=TenderError.PRICE_ABOVE_MAX)
    capacity = parse_int(supply_capacity, field="supply_capacity", column=Bid._meta.get_field("supply_capacity"))
    if capacity <= 0:
        raise ValidationFailed(
            gettext("供应能力应为正整数"), field="supply_capacity", code=TenderError.CAPACITY_NOT_POSITIVE
        )
    return product, price, capacity


@transaction.atomic
def consumable_bid_submit(
    *,
    lot: Lot,
    by,
    price,
    supply_capacity,
    product=None,
    components: list[Component] | None = None,
    system_name: str = "",
    supplies_all_regions: bool = True,
    meets_group_a_conditions: bool = True,
    accepts_revival: bool = False,
) -> Bid:
    """Submit a sealed consumable bid: ``product`` for a lot bid per registration certificate, ``components`` for a
    lot bid per product system (the price is then per system)."""
    refuse_imported(lot.tender, "bid")
    setup = lot_setup(lot)
    components = list(components or [])
    product, price, capacity = _check_inputs(
        lot=lot,
        setup=setup,
        product=product,
        components=components,
        price=price,
        supply_capacity=supply_capacity,
        by=by,
    )
    tender, now = _lock_open_for_bids(lot)
    if Bid.objects.filter(lot=lot, manufacturer=by.organization, status=Bid.Status.SUBMITTED).exists():
        raise ConflictError(
            gettext("本企业在该品种已有有效申报，请替换或撤回后再申报"), code=TenderError.LIVE_BID_EXISTS
        )
    bid = _new_bid(tender=tender, lot=lot, product=product, price=price, supply_capacity=capacity, by=by, now=now)
    ConsumableBid.objects.create(
        bid=bid,
        system_name=system_name.strip(),
        supplies_all_regions=bool(supplies_all_regions),
        meets_group_a_conditions=bool(meets_group_a_conditions),
        accepts_revival=bool(accepts_revival),
    )
    BidComponent.objects.bulk_create(
        [BidComponent(bid=bid, role=c.role, product=c.product, quantity=c.quantity) for c in components]
    )
    return bid
