"""Listing services (suspend / reinstate / withdraw / price change / applications / price linkage), the
substitution rule, and the receipt and return hooks."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common.errors import ConflictError, PermissionDeniedError, ValidationFailed
from common.models import events_for
from procurement import hooks
from procurement.errors import OrderError
from procurement.models import Listing
from procurement.services import deliveries as delivery_svc
from procurement.services import listings as svc
from procurement.services import orders as order_svc
from procurement.services import receipts as receipt_svc
from tests.factories import AgencyFactory, DistributionAuthorizationFactory, ProductFactory, UserFactory

from .ordering import build_world, make_commitment, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


@pytest.fixture
def official():
    return UserFactory(username="l_official", organization=AgencyFactory(), roles=["pricing_official"])


def test_suspend_needs_a_reason_and_a_manager(w, official):
    with refused(ValidationFailed, OrderError.REASON_REQUIRED):
        svc.listing_suspend(listing=w.listing, by=official, reason="")
    with pytest.raises(PermissionDeniedError):
        svc.listing_suspend(listing=w.listing, by=w.buyer, reason="x")
    w.listing.refresh_from_db()
    assert w.listing.status == Listing.Status.ACTIVE
    svc.listing_suspend(listing=w.listing, by=None, reason="信用评价：严重失信")  # the platform itself
    with pytest.raises(ConflictError):
        svc.listing_suspend(listing=Listing.objects.get(pk=w.listing.pk), by=official, reason="again")
    event = events_for(w.listing).get(action="suspended")
    assert event.note == "信用评价：严重失信"


def test_price_change_rejects_bad_prices_and_keeps_history(w, official):
    for bad in ["0", "-1", "abc", "0.12345", 0.5]:
        with pytest.raises(ValidationFailed) as err:
            svc.listing_change_price(listing=w.listing, unit_price=bad, by=official, reason="调价")
        assert err.value.field == "unit_price"
    w.listing.refresh_from_db()
    assert w.listing.unit_price == Decimal("0.5000")
    svc.listing_change_price(listing=w.listing, unit_price="0.4567", by=official, reason="联动调价")
    w.listing.refresh_from_db()
    assert (w.listing.unit_price, w.listing.pack_price) == (Decimal("0.4567"), Decimal("5.48"))
    assert events_for(w.listing).get(action="price_changed").data["old_unit_price"] == "0.5000"


def test_price_linkage_listing(w, official):
    product = ProductFactory(manufacturer=w.manufacturer, generic_name="氯沙坦钾片", pack_size=14)
    listing = svc.listing_create_from_price_linkage(
        product=product, unit_price="0.2100", by=official, valid_from=timezone.localdate(), reason="全国最低价（某省）"
    )
    assert listing.source == "price_linkage" and listing.pack_price == Decimal("2.94")
    with pytest.raises(ConflictError):
        svc.listing_create_from_price_linkage(
            product=product, unit_price="0.2", by=official, valid_from=timezone.localdate(), reason="x"
        )


def test_credit_consequence_suspends_all_listings_of_a_manufacturer(w, official):
    assert (
        svc.listings_suspend_for_manufacturer(manufacturer_id=w.manufacturer.pk, by=official, reason="特别严重失信")
        == 2
    )
    assert set(Listing.objects.values_list("status", flat=True)) == {"suspended"}


def test_non_selected_product_ordered_while_commitment_unmet_records_the_substitution(w):
    # the hospital agreed to buy 1,000 tablets of the selected 阿托伐他汀钙片 of another maker
    from tests.factories import ManufacturerFactory

    selected = ProductFactory(
        manufacturer=ManufacturerFactory(name="中选制药有限公司"), generic_name="阿托伐他汀钙片", pack_size=10
    )
    commitment, selected_listing = make_commitment(hospital=w.hospital, selected_product=selected, agreed_volume=1000)
    DistributionAuthorizationFactory(product=selected, distributor=w.distributor)
    order = order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(), submit=True)
    line, other = order.lines.order_by("line_no")
    assert line.substitution_for == commitment and other.substitution_for is None
    # the selected product itself is no substitution; its receipts fill the commitment
    selected_order = order_svc.order_create(
        by=w.buyer, distributor=w.distributor, submit=True, lines=[{"listing": selected_listing.pk, "packs": 100}]
    )
    assert selected_order.lines.get().substitution_for is None
    assert selected_order.lines.get().award == commitment.award
    order_svc.order_accept(order=selected_order, by=w.dist_rep)
    delivery = delivery_svc.delivery_create(
        order=selected_order,
        by=w.dist_rep,
        invoice_number="I",
        lines=[
            {
                "order_line": selected_order.lines.get().pk,
                "packs": 100,
                "batch_number": "S1",
                "expiry_date": (timezone.localdate() + timedelta(days=400)).isoformat(),
            }
        ],
    )
    receipt = receipt_svc.receipt_create(delivery=delivery, by=w.buyer)
    assert receipt.lines.get().award_id == commitment.award_id
    later = order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines())
    assert later.lines.get(line_no=1).substitution_for is None  # commitment met (1,000 received)


def test_hooks_registries():
    calls = []
    handler = hooks.register_return_committed(lambda pk: calls.append(pk))
    try:
        hooks.register_return_committed(handler)
        assert hooks.return_committed_handlers.count(handler) == 1

        def broken(pk):
            raise RuntimeError("boom")

        hooks.return_committed_handlers.insert(0, broken)
        hooks.return_committed(7)
        assert calls == [7]
    finally:
        for h in (handler, broken):
            if h in hooks.return_committed_handlers:
                hooks.return_committed_handlers.remove(h)


def test_another_winner_of_the_same_lot_is_no_substitution(w):
    from django.utils import timezone as tz

    from procurement.models import Award, Bid
    from tests.factories import ManufacturerFactory

    selected = ProductFactory(
        manufacturer=ManufacturerFactory(name="中选一制药有限公司"), generic_name="阿托伐他汀钙片"
    )
    commitment, _ = make_commitment(hospital=w.hospital, selected_product=selected, agreed_volume=1000)
    # our listing's product wins rank 2 in the same lot
    bid = Bid.objects.create(
        tender=commitment.tender,
        lot=commitment.lot,
        manufacturer=w.manufacturer,
        product=w.listing.product,
        sealed_price="x",
        seal_hash="1" * 64,
        price=Decimal("0.4"),
        comparison_price=Decimal("0.4"),
        supply_capacity=1,
        status="selected",
        submitted_at=tz.now(),
        submitted_by=w.buyer,
    )
    Award.objects.create(
        tender=commitment.tender,
        lot=commitment.lot,
        bid=bid,
        manufacturer=w.manufacturer,
        product=w.listing.product,
        rank=2,
        awarded_price=Decimal("0.4"),
        comparison_price=Decimal("0.4"),
    )
    order = order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines())
    assert order.lines.get(line_no=1).substitution_for is None
