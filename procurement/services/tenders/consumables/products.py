"""Which catalog products a consumable lot takes: consumables of the lot's class (and high-value class, if set)."""

from __future__ import annotations

from django.utils.translation import gettext

from catalog.codes import Category
from catalog.models import Product

from ....models import ConsumableLot, Lot


def lot_setup(lot: Lot) -> ConsumableLot:
    """The lot's consumable settings; a lot never configured is bid per registration certificate, priced per unit."""
    return ConsumableLot.objects.filter(lot=lot).select_related("lot").first() or ConsumableLot(lot=lot)


def product_problem(lot: Lot, setup: ConsumableLot, product) -> str | None:
    """Why ``product`` does not belong to the consumable lot, or None (the class read from ``setup``'s own lot row)."""
    lot = setup.lot
    if product.category != Category.CONSUMABLE:
        return gettext("“%(product)s”不是医用耗材，不能参加耗材品种") % {"product": product}
    if lot.consumable_class and product.consumable_class != lot.consumable_class:
        return gettext("产品“%(product)s”的耗材分类“%(klass)s”不是本品种的“%(lot_class)s”") % {
            "product": product,
            "klass": product.consumable_class,
            "lot_class": lot.consumable_class,
        }
    if setup.high_value_class and product.high_value_class != setup.high_value_class:
        return gettext("产品“%(product)s”不属于本品种的高值耗材类别") % {"product": product}
    return None


def lot_consumable_products(lot: Lot, *, manufacturer_id: int | None = None):
    """Active consumables that fit the lot (by class, and high-value class when the lot sets one)."""
    setup = lot_setup(lot)
    lot = setup.lot
    qs = Product.objects.filter(category=Category.CONSUMABLE, is_active=True)
    if lot.consumable_class:
        qs = qs.filter(consumable_class=lot.consumable_class)
    if setup.high_value_class:
        qs = qs.filter(high_value_class=setup.high_value_class)
    if manufacturer_id is not None:
        qs = qs.filter(manufacturer_id=manufacturer_id)
    return qs.select_related("manufacturer").order_by("generic_name", "specification", "nhsa_code")
