"""挂网: listings and their changes — suspension, reinstatement, withdrawal, price changes, applications.

Every change keeps a history row with its reason (django-simple-history) and an audit event. Open orders react:
a suspended or withdrawn listing flags every open order that has a line on it (the order cannot be submitted while
the listing is not active); a price change is seen by draft orders at once, while submitted orders keep the price
frozen at their submission (DESIGN.md §4).

Callers: pricing officials (pages and API), the pricing app's alert resolution and credit consequences (严重 —
the products involved lose listing; 特别严重 — all the company's products), and tender awards for new listings.
`by=None` means the platform itself (a scheduled job); a user must hold `listing.manage`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.permissions import require
from catalog.models import Product
from common.messages import Message, text_of
from common.models import record_event
from common.money import quantize_amount, quantize_unit_price
from common.numbers import parse_decimal

from ..errors import ConflictError, OrderError, ValidationFailed
from ..models import Listing, OrderEvent, PurchaseOrder, PurchaseOrderLine
from .listing_qualifications import still_lapsed

L = Listing.Status


def parse_unit_price(value, *, field: str = "unit_price") -> Decimal:
    """A listed price per minimum unit: positive, at most 4 decimals, never a float."""
    price = parse_decimal(value, field=field, label=_("价格"), column=Listing._meta.get_field("unit_price"))
    if price <= 0:
        raise ValidationFailed(_("价格必须大于零"), field=field, code=OrderError.PRICE_NOT_POSITIVE)
    return price


def _lock(listing: Listing) -> Listing:
    return Listing.objects.select_for_update().select_related("product").get(pk=listing.pk)


# an order's listing-problem note: the product's name and the reason (typed, or a message of the platform's)
FLAG_NOTE = gettext_noop("%(product)s：%(reason)s")


def flag_note(product_name: str, reason) -> tuple[str, dict]:
    """(the note in Chinese, the note as a message) of an order whose listing of this product was suspended or
    withdrawn for `reason` (a text, or a `Message`)."""
    text, message = text_of(Message(FLAG_NOTE, {"product": product_name, "reason": reason}))
    return text[:300], message


def _require_reason(reason) -> str:
    if isinstance(reason, Message):
        return text_of(reason)[0][:300]
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写原因"), field="reason", code=OrderError.REASON_REQUIRED)
    return reason[:300]


def _check(by, capability: str = "listing.manage") -> None:
    if by is not None:
        require(by, capability)


def _save(listing: Listing, reason: str, fields: list[str]) -> None:
    listing._change_reason = reason
    listing.save(update_fields=[*fields, "updated_at"])


def _flag_open_orders(listing: Listing, reason, by) -> int:
    """Flag every open order with a line on the listing (set-based), one order event each."""
    order_ids = list(
        PurchaseOrder.objects.filter(status__in=PurchaseOrder.OPEN_STATUSES, lines__listing=listing)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    if not order_ids:
        return 0
    note, message = flag_note(listing.product.generic_name, reason)
    PurchaseOrder.objects.filter(pk__in=order_ids).update(
        listing_flag=True,
        listing_flag_reason=note,
        listing_flag_message=message,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                order_id=pk,
                action="listing_flagged",
                actor=by if getattr(by, "pk", None) else None,
                organization_id=getattr(by, "organization_id", None),
                reason=note,
                data={"listing": listing.pk, "listing_status": listing.status},
            )
            for pk in order_ids
        ],
        batch_size=1000,
    )
    return len(order_ids)


def _unflag_orders(listing: Listing, by) -> int:
    """Clear the flag of open orders on this listing whose lines are all on active listings again."""
    candidates = PurchaseOrder.objects.filter(
        listing_flag=True, status__in=PurchaseOrder.OPEN_STATUSES, lines__listing=listing
    ).exclude(lines__listing__status__in=[L.SUSPENDED, L.WITHDRAWN])
    order_ids = list(candidates.order_by("pk").values_list("pk", flat=True).distinct())
    if not order_ids:
        return 0
    PurchaseOrder.objects.filter(pk__in=order_ids).update(
        listing_flag=False,
        listing_flag_reason="",
        listing_flag_message=None,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                order_id=pk,
                action="listing_flag_cleared",
                actor=by if getattr(by, "pk", None) else None,
                organization_id=getattr(by, "organization_id", None),
                reason="挂网恢复",
                data={"listing": listing.pk},
            )
            for pk in order_ids
        ]
    )
    return len(order_ids)


@transaction.atomic
def listing_suspend(*, listing: Listing, by, reason) -> Listing:
    """暂停挂网 (e.g. a credit consequence): the listing cannot be ordered; open orders on it are flagged."""
    _check(by)
    reason, said = _require_reason(reason), reason
    listing = _lock(listing)
    if listing.status != L.ACTIVE:
        raise ConflictError(
            _("挂网状态为“%(status)s”，不能暂停") % {"status": listing.get_status_display()},
            field="status",
            code=OrderError.LISTING_WRONG_STATUS,
        )
    listing.suspend()
    listing.status_reason = reason
    _save(listing, reason, ["status", "status_reason"])
    flagged = _flag_open_orders(listing, said if isinstance(said, Message) else reason, by)
    record_event(
        listing,
        "suspended",
        by=by,
        from_state=L.ACTIVE,
        to_state=L.SUSPENDED,
        note=reason,
        data={"flagged_orders": flagged},
    )
    return listing


@transaction.atomic
def listing_reinstate(*, listing: Listing, by, reason: str) -> Listing:
    """恢复挂网 (e.g. after credit repair). A listing the qualification watch suspended is reinstated by hand only once
    its licence and registration are valid again; it is then no longer the watch's to manage."""
    _check(by)
    reason = _require_reason(reason)
    listing = _lock(listing)
    if listing.status != L.SUSPENDED:
        raise ConflictError(
            _("挂网状态为“%(status)s”，只有暂停挂网的产品可以恢复") % {"status": listing.get_status_display()},
            field="status",
            code=OrderError.LISTING_WRONG_STATUS,
        )
    if listing.qualification_lapsed and still_lapsed(listing):
        raise ConflictError(
            _("该挂网因资质证照过期被暂停，生产许可证或注册证仍未换发，请先更新资质"),
            field="status",
            code=OrderError.QUALIFICATION_STILL_LAPSED,
        )
    listing.reinstate()
    listing.status_reason = reason
    listing.qualification_lapsed = False
    _save(listing, reason, ["status", "status_reason", "qualification_lapsed"])
    cleared = _unflag_orders(listing, by)
    record_event(
        listing,
        "reinstated",
        by=by,
        from_state=L.SUSPENDED,
        to_state=L.ACTIVE,
        note=reason,
        data={"cleared_orders": cleared},
    )
    return listing


@transaction.atomic
def listing_withdraw(*, listing: Listing, by, reason) -> Listing:
    """撤网: final; open orders on it are flagged."""
    _check(by)
    reason, said = _require_reason(reason), reason
    listing = _lock(listing)
    if listing.status == L.WITHDRAWN:
        raise ConflictError(_("该产品已撤网"), field="status", code=OrderError.LISTING_WITHDRAWN)
    previous = listing.status
    listing.withdraw()
    listing.status_reason = reason
    _save(listing, reason, ["status", "status_reason"])
    flagged = _flag_open_orders(listing, said if isinstance(said, Message) else reason, by)
    record_event(
        listing,
        "withdrawn",
        by=by,
        from_state=previous,
        to_state=L.WITHDRAWN,
        note=reason,
        data={"flagged_orders": flagged},
    )
    return listing


def _refresh_draft_totals(order_ids: list[int]) -> None:
    for order_id in order_ids:
        total = PurchaseOrderLine.objects.filter(order_id=order_id).aggregate(s=Sum("amount"))["s"] or Decimal("0")
        PurchaseOrder.objects.filter(pk=order_id).update(
            total_amount=total, version=F("version") + 1, updated_at=timezone.now()
        )


@transaction.atomic
def listing_change_price(*, listing: Listing, unit_price, by, reason: str, pack_price=None) -> Listing:
    """Change the listed price per minimum unit; the pack price follows (or is the one given: an approved price
    change applied for per pack). Draft orders see the new price at once; submitted orders keep the price frozen at
    their submission."""
    _check(by)
    reason = _require_reason(reason)
    price = parse_unit_price(unit_price, field="unit_price")
    listing = _lock(listing)
    if listing.status == L.WITHDRAWN:
        raise ConflictError(_("已撤网的产品不能调整价格"), field="status", code=OrderError.LISTING_WITHDRAWN)
    old_unit, old_pack = listing.unit_price, listing.pack_price
    if price == old_unit:
        raise ValidationFailed(_("新价格与当前挂网价相同"), field="unit_price", code=OrderError.PRICE_UNCHANGED)
    listing.unit_price = quantize_unit_price(price)
    listing.pack_price = (
        quantize_amount(pack_price) if pack_price else quantize_amount(listing.unit_price * listing.product.pack_size)
    )
    _save(listing, reason, ["unit_price", "pack_price"])
    draft_lines = PurchaseOrderLine.objects.filter(listing=listing, order__status=PurchaseOrder.Status.DRAFT)
    draft_order_ids = sorted(set(draft_lines.values_list("order_id", flat=True)))
    # Lock the drafts (pk order) before rewriting their lines, so a concurrent submit freezes one price or the other.
    list(PurchaseOrder.objects.select_for_update().filter(pk__in=draft_order_ids).order_by("pk").values_list("pk"))
    for line in draft_lines.filter(order__status=PurchaseOrder.Status.DRAFT):
        line.unit_price = listing.unit_price
        line.pack_price = listing.pack_price
        line.amount = quantize_amount(listing.unit_price * line.min_units)
        line.save(update_fields=["unit_price", "pack_price", "amount"])
    _refresh_draft_totals(draft_order_ids)
    record_event(
        listing,
        "price_changed",
        by=by,
        note=reason,
        data={
            "old_unit_price": str(old_unit),
            "new_unit_price": str(listing.unit_price),
            "old_pack_price": str(old_pack),
            "new_pack_price": str(listing.pack_price),
            "draft_orders": len(draft_order_ids),
        },
    )
    return listing


def check_validity(valid_from: date, valid_to: date | None) -> None:
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(_("有效期止不能早于有效期起"), field="valid_to", code=OrderError.VALIDITY_REVERSED)


def ensure_not_listed(product: Product, manufacturer_id: int) -> None:
    if Listing.objects.filter(
        product=product, manufacturer_id=manufacturer_id, status__in=[L.ACTIVE, L.SUSPENDED]
    ).exists():
        raise ConflictError(
            _("该产品已挂网（或暂停挂网中），请调整价格而不是重复挂网"), field="product", code=OrderError.ALREADY_LISTED
        )


@transaction.atomic
def listing_create_from_price_linkage(
    *, product: Product, unit_price, by, valid_from: date, valid_to: date | None = None, reason: str
) -> Listing:
    """全国最低价联动挂网: list a product at (at most) the national lowest price, named in `reason`."""
    _check(by)
    reason = _require_reason(reason)
    price = quantize_unit_price(parse_unit_price(unit_price, field="unit_price"))
    check_validity(valid_from, valid_to)
    ensure_not_listed(product, product.manufacturer_id)
    listing = Listing(
        product=product,
        manufacturer_id=product.manufacturer_id,
        unit_price=price,
        pack_price=quantize_amount(price * product.pack_size),
        valid_from=valid_from,
        valid_to=valid_to,
        source=Listing.Source.PRICE_LINKAGE,
        approved_by=by if getattr(by, "pk", None) else None,
        status_reason=reason,
    )
    listing._change_reason = reason
    listing.save()
    record_event(listing, "listed", by=by, to_state=listing.status, note=reason, data={"source": listing.source})
    return listing


def listings_suspend_for_manufacturer(*, manufacturer_id: int, by, reason: str, product_ids=None) -> int:
    """Credit consequence helper: suspend every active listing of a manufacturer (特别严重) or of some of its
    products (严重). Each listing goes through `listing_suspend` (history, flags, events); returns the count."""
    listings = Listing.objects.filter(manufacturer_id=manufacturer_id, status=L.ACTIVE)
    if product_ids is not None:
        listings = listings.filter(Q(product_id__in=list(product_ids)))
    count = 0
    for listing in listings.order_by("pk"):
        listing_suspend(listing=listing, by=by, reason=reason)
        count += 1
    return count
