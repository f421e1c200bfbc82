"""The qualification watch: warnings 60 / 30 / 7 days ahead (once each), suspension of listings whose licence or
registration lapsed, reinstatement once renewed — set-based, idempotent, audited."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common.errors import ConflictError
from common.models import AuditEvent, Notification
from procurement.errors import OrderError
from procurement.models import Listing, PurchaseOrder
from procurement.services.listing_qualifications import listings_qualification_watch
from procurement.services.listings import listing_reinstate
from procurement.tasks import qualification_watch
from qualifications import selectors
from qualifications.services import qualification_expiry_warnings
from tests.factories import (
    ListingFactory,
    ManufacturerFactory,
    ProductFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    QualificationFactory,
    qualify,
)

pytestmark = pytest.mark.django_db


def test_warnings_at_60_30_7_days_once_each():
    today = timezone.localdate()
    licence = QualificationFactory(valid_to=today + timedelta(days=45))
    QualificationFactory(valid_to=today + timedelta(days=200))  # not yet
    assert qualification_expiry_warnings(today=today) == 1
    assert qualification_expiry_warnings(today=today) == 0  # rerun: nothing twice
    assert qualification_expiry_warnings(today=today + timedelta(days=1)) == 0  # still the 60-day warning
    assert qualification_expiry_warnings(today=today + timedelta(days=16)) == 1  # 29 days left: the 30-day one
    assert qualification_expiry_warnings(today=today + timedelta(days=40)) == 1  # 5 days left: the 7-day one
    notes = Notification.objects.filter(organization=licence.organization, kind="qualification_expiry")
    assert sorted(n.topic for n in notes) == [f"qualification:{licence.pk}:{d}" for d in (30, 60, 7)]


def test_a_renewal_stops_the_warnings():
    today = timezone.localdate()
    old = QualificationFactory(valid_to=today + timedelta(days=20))
    QualificationFactory(
        organization=old.organization,
        valid_from=old.valid_to + timedelta(days=1),
        valid_to=today + timedelta(days=1800),
    )
    assert qualification_expiry_warnings(today=today) == 0
    assert list(selectors.expiring(on=today)) == []


def test_lapsed_licence_suspends_listing_and_renewal_reinstates_it():
    today = timezone.localdate()
    maker = ManufacturerFactory()
    product = ProductFactory(manufacturer=maker)
    qualify(product, licence_to=today - timedelta(days=1))
    listing = ListingFactory(product=product)
    untouched = ListingFactory()  # a maker without any recorded licence is left alone
    order = PurchaseOrderFactory(status="submitted")
    PurchaseOrderLineFactory(order=order, listing=listing, product=product)

    assert listings_qualification_watch(today=today) == {"suspended": 1, "reinstated": 0, "flagged": 1, "cleared": 0}
    listing.refresh_from_db()
    untouched.refresh_from_db()
    assert (listing.status, listing.qualification_lapsed) == (Listing.Status.SUSPENDED, True)
    assert untouched.status == Listing.Status.ACTIVE
    assert listing.history.first().status == "suspended"
    assert AuditEvent.objects.filter(object_id=listing.pk, action="suspended").count() == 1
    order.refresh_from_db()
    assert order.listing_flag

    events = AuditEvent.objects.count()
    assert listings_qualification_watch(today=today) == {"suspended": 0, "reinstated": 0, "flagged": 0, "cleared": 0}
    assert AuditEvent.objects.count() == events  # idempotent

    QualificationFactory(organization=maker, valid_from=today, valid_to=today + timedelta(days=1800))  # renewed
    result = qualification_watch.apply().get()
    assert (result["reinstated"], result["cleared"]) == (1, 1)
    listing.refresh_from_db()
    order.refresh_from_db()
    assert (listing.status, listing.qualification_lapsed, order.listing_flag) == ("active", False, False)


def test_lapsed_registration_suspends_only_that_product():
    today = timezone.localdate()
    maker = ManufacturerFactory()
    lapsed, fine = ProductFactory(manufacturer=maker), ProductFactory(manufacturer=maker)
    qualify(lapsed, registration_to=today - timedelta(days=3))
    QualificationFactory(organization=maker, product=fine, kind="drug_approval")
    listings = [ListingFactory(product=lapsed), ListingFactory(product=fine, unit_price=Decimal("0.3000"))]
    assert listings_qualification_watch(today=today)["suspended"] == 1
    assert [Listing.objects.get(pk=x.pk).status for x in listings] == ["suspended", "active"]


def test_a_credit_suspension_is_not_lifted_by_the_watch():
    listing = ListingFactory(status="suspended", status_reason="信用评价：严重失信")
    assert listings_qualification_watch()["reinstated"] == 0
    listing.refresh_from_db()
    assert listing.status == "suspended"
    assert PurchaseOrder.objects.count() == 0


def test_reinstating_by_hand_needs_the_renewal_and_hands_the_listing_back(official):
    """An official cannot reinstate a listing the watch suspended while its licence is still lapsed; once renewed, a
    manual reinstatement clears the watch's mark (so the watch neither reinstates it again nor keeps it as its own)."""
    today = timezone.localdate()
    maker = ManufacturerFactory()
    product = ProductFactory(manufacturer=maker)
    qualify(product, licence_to=today - timedelta(days=1))
    listing = ListingFactory(product=product)
    listings_qualification_watch(today=today)
    listing.refresh_from_db()
    events = AuditEvent.objects.count()
    with pytest.raises(ConflictError) as refused:
        listing_reinstate(listing=listing, by=official, reason="企业申请恢复")
    assert refused.value.code == OrderError.QUALIFICATION_STILL_LAPSED
    listing.refresh_from_db()
    assert (listing.status, listing.qualification_lapsed, AuditEvent.objects.count()) == ("suspended", True, events)

    QualificationFactory(organization=maker, valid_from=today, valid_to=today + timedelta(days=1800))
    listing_reinstate(listing=listing, by=official, reason="许可证已换发")
    listing.refresh_from_db()
    assert (listing.status, listing.qualification_lapsed) == ("active", False)
    assert listings_qualification_watch(today=today)["reinstated"] == 0
