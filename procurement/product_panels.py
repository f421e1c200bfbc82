"""The listings of a product on its catalog page (found by `catalog.views.products.product_detail` through
`common.discovery.app_modules("product_panels")`, so the catalog never imports procurement).

Each listing with its maker, its prices, and whether the user's hospital can order it today — and if not, why:
suspended or withdrawn (with the official's reason), not yet or no longer valid, the product inactive, or no
distributor authorised for the hospital's region. A buyer adds an orderable listing to the cart from here.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.permissions import can

from .models import Listing
from .selectors import orders as order_selectors


def _why_not(listing: Listing, *, today, distributors, buyer: bool) -> str:
    """Why the listing cannot be ordered today ("" when it can)."""
    if listing.status != Listing.Status.ACTIVE:
        reason = listing.get_status_display()
        return f"{reason}：{listing.status_reason}" if listing.status_reason else str(reason)
    if listing.valid_from > today:
        return _("挂网自 %(day)s 起有效") % {"day": listing.valid_from.isoformat()}
    if listing.valid_to is not None and listing.valid_to < today:
        return _("挂网已于 %(day)s 到期") % {"day": listing.valid_to.isoformat()}
    if not listing.product.is_active:
        return _("产品已停用")
    if buyer and not distributors:
        return _("本地区无授权配送企业")
    return ""


def panels(request, product) -> list[dict]:
    """The listings panel: every listing of the product (a few; two queries, three for a buyer)."""
    user = request.user
    if not can(user, "listing.view"):
        return []
    listings = list(
        Listing.objects.filter(product=product)
        .select_related("product", "manufacturer", "award")
        .order_by("status", "unit_price", "pk")
    )
    org = getattr(user, "organization", None)
    buyer = can(user, "order.place") and org is not None and org.kind == Organization.Kind.HOSPITAL
    distributors = order_selectors.distributors_for_listings(hospital=org, listings=listings) if buyer else {}
    today = timezone.localdate()
    rows = []
    for x in listings:
        choices = distributors.get(x.pk, [])
        reason = _why_not(x, today=today, distributors=choices, buyer=buyer)
        rows.append({"listing": x, "distributors": choices, "reason": reason, "orderable": not reason})
    return [{"template": "procurement/orders/_product_listings.html", "context": {"rows": rows, "buyer": buyer}}]
