"""Whether a consumable may be bid: a valid medical-device registration certificate (注册证).

The certificate is the product's ``registration_number`` (kept in ``approval_number``), checked for presence and form
by the catalog's rules; a filing (备案凭证, class I devices) is not a registration certificate. Its validity comes
from the qualifications (资质证照) the maker keeps: once a registration certificate of the product is recorded there,
one must be valid on the date ``on`` (an expired or not yet valid certificate refuses the bid); a product whose
certificates were never recorded is judged by its catalog number alone.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext

from catalog.codes import DEVICE_FILING, Category, approval_problem, normalize_code
from qualifications.models import Qualification
from qualifications.selectors import registration_kind, valid_registration


def registration_problem(product, on: date) -> str | None:
    """Why ``product`` has no valid registration certificate on ``on`` (a message for people), or None."""
    if product.category != Category.CONSUMABLE:
        return gettext("“%(product)s”不是医用耗材") % {"product": product}
    if not product.is_active:
        return gettext("产品“%(product)s”已停用") % {"product": product}
    number = normalize_code(product.registration_number)
    if not number:
        return gettext("产品“%(product)s”未登记医疗器械注册证编号") % {"product": product}
    if DEVICE_FILING.match(number):
        return gettext("“%(number)s”是备案凭证，不是医疗器械注册证") % {"number": number}
    problem = approval_problem(number, category=Category.CONSUMABLE)
    if problem:
        return problem
    recorded = Qualification.objects.filter(product=product, kind=registration_kind(product))
    if recorded.exists() and valid_registration(product, on=on) is None:
        last = recorded.order_by("-valid_to").first()
        return gettext("产品“%(product)s”的医疗器械注册证 %(number)s 在 %(on)s 无效（有效期至 %(to)s）") % {
            "product": product,
            "number": last.number,
            "on": on,
            "to": last.valid_to,
        }
    return None


def registration_ok(product, on: date) -> bool:
    """True when ``product`` has a valid registration certificate on ``on``."""
    return registration_problem(product, on) is None
