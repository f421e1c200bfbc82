"""The qualification watch's part in procurement: listings whose required qualification lapsed are suspended, and
reinstated once renewed.

A listing needs its maker's production licence (药品生产许可证 for drugs, 医疗器械生产许可证 for consumables) and the
product's registration (批准文号 / 注册证). "Lapsed" means the holder had one and none is valid today — a maker that
never recorded one is left alone here (its new applications are refused at submission instead), so listings from
before qualifications were kept are not suspended wholesale.

Set-based: one statement finds the listings to suspend (or reinstate), one writes them with their history rows
(simple_history's bulk helper), one inserts their audit rows, one flags the open orders on them. Idempotent: a
second run finds nothing to do. Only listings the watch suspended (`qualification_lapsed`) are reinstated by it.
"""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_update_with_history

from catalog.codes import Category
from common.messages import Message
from common.models import AuditEvent
from qualifications.models import Qualification
from qualifications.selectors import valid_on

from ..models import Listing, OrderEvent, PurchaseOrder

L = Listing.Status
QK = Qualification.Kind
REASON = gettext_noop("资质证照过期（生产许可证或注册证），暂停挂网")
REINSTATED = gettext_noop("资质证照已换发，恢复挂网")


def _lapsed(day: date) -> Q:
    """Listings whose maker's licence (of the product's kind) or whose product's registration lapsed on the day."""
    consumable = Q(product__category=Category.CONSUMABLE)
    licence_kind = {True: QK.DEVICE_MANUFACTURING, False: QK.DRUG_MANUFACTURING}
    registration_kind = {True: QK.DEVICE_REGISTRATION, False: QK.DRUG_APPROVAL}
    conditions = Q(pk__in=[])
    for is_consumable in (True, False):
        licences = Qualification.objects.filter(
            organization_id=OuterRef("manufacturer_id"), product__isnull=True, kind=licence_kind[is_consumable]
        )
        registrations = Qualification.objects.filter(
            product_id=OuterRef("product_id"), kind=registration_kind[is_consumable]
        )
        lapsed_licence = Exists(licences) & ~Exists(licences.filter(valid_on(day)))
        lapsed_registration = Exists(registrations) & ~Exists(registrations.filter(valid_on(day)))
        of_kind = consumable if is_consumable else ~consumable
        conditions |= of_kind & (lapsed_licence | lapsed_registration)
    return conditions


def still_lapsed(listing: Listing, day: date | None = None) -> bool:
    """Whether the listing's maker licence or product registration is lapsed on the day (today by default)."""
    return Listing.objects.filter(pk=listing.pk).filter(_lapsed(day or timezone.localdate())).exists()


def to_suspend(day: date) -> QuerySet[Listing]:
    return Listing.objects.filter(status=L.ACTIVE).filter(_lapsed(day))


def to_reinstate(day: date) -> QuerySet[Listing]:
    return Listing.objects.filter(status=L.SUSPENDED, qualification_lapsed=True).exclude(_lapsed(day))


def _audit(listings: list[Listing], action: str, from_state: str, to_state: str, note: str) -> None:
    content_type = ContentType.objects.get_for_model(Listing)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                content_type=content_type,
                object_id=x.pk,
                action=action,
                from_state=from_state,
                to_state=to_state,
                note=note,
                data={"job": "qualification_watch"},
            )
            for x in listings
        ],
        batch_size=1000,
    )


def _flag_orders(listing_ids: list[int], *, flag: bool) -> int:
    """Flag (or clear the flag of) the open orders with a line on these listings, one order event each."""
    orders = PurchaseOrder.objects.filter(status__in=PurchaseOrder.OPEN_STATUSES, lines__listing_id__in=listing_ids)
    if not flag:
        orders = orders.filter(listing_flag=True).exclude(lines__listing__status__in=[L.SUSPENDED, L.WITHDRAWN])
    order_ids = list(orders.order_by("pk").values_list("pk", flat=True).distinct())
    if not order_ids:
        return 0
    note = REASON if flag else ""
    PurchaseOrder.objects.filter(pk__in=order_ids).update(
        listing_flag=flag,
        listing_flag_reason=note,
        listing_flag_message=Message(REASON).as_json() if flag else None,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                order_id=pk,
                action="listing_flagged" if flag else "listing_flag_cleared",
                reason=note or REINSTATED,
                data={"job": "qualification_watch"},
            )
            for pk in order_ids
        ],
        batch_size=1000,
    )
    return len(order_ids)


def _write(listings: list[Listing], *, status: str, reason: str, lapsed: bool) -> None:
    now = timezone.now()
    for listing in listings:
        listing.status, listing.status_reason, listing.qualification_lapsed = status, reason, lapsed
        listing.updated_at = now
    bulk_update_with_history(
        listings,
        Listing,
        ["status", "status_reason", "qualification_lapsed", "updated_at"],
        batch_size=1000,
        default_change_reason=reason,
    )


@transaction.atomic
def listings_qualification_watch(*, today: date | None = None) -> dict[str, int]:
    """Suspend the active listings whose required qualification lapsed; reinstate those it suspended once renewed."""
    today = today or timezone.localdate()
    suspend = list(to_suspend(today).select_for_update().order_by("pk"))
    _write(suspend, status=L.SUSPENDED, reason=REASON, lapsed=True)
    _audit(suspend, "suspended", L.ACTIVE, L.SUSPENDED, REASON)
    flagged = _flag_orders([x.pk for x in suspend], flag=True)
    reinstate = list(to_reinstate(today).select_for_update().order_by("pk"))
    _write(reinstate, status=L.ACTIVE, reason=REINSTATED, lapsed=False)
    _audit(reinstate, "reinstated", L.SUSPENDED, L.ACTIVE, REINSTATED)
    cleared = _flag_orders([x.pk for x in reinstate], flag=False)
    return {"suspended": len(suspend), "reinstated": len(reinstate), "flagged": flagged, "cleared": cleared}
