"""Whether a consumable may be bid: a valid medical-device registration certificate (注册证).

On this branch the certificate is the product's ``registration_number`` (kept in ``approval_number``), checked for
presence and form by the catalog's rules; a filing (备案凭证, class I devices) is not a registration certificate. The
certificate's validity dates are not in the catalog: ``registration_ok(product, on)`` is the single place where the
qualifications (资质证照) records will be consulted for validity on the date ``on``.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext

from catalog.codes import DEVICE_FILING, Category, approval_problem, normalize_code


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
    return None


def registration_ok(product, on: date) -> bool:
    """True when ``product`` has a valid registration certificate on ``on``."""
    return registration_problem(product, on) is None
