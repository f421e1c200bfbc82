"""The ordering tables: factories build a whole chain, and the database constraints hold the invariants."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from procurement.models import Listing, PurchaseOrder, PurchaseOrderLine, SupplyClass
from tests.factories import (
    DistributionAuthorizationFactory,
    GoodsReturnLineFactory,
    HospitalFactory,
    ListingFactory,
    OffPlatformPurchaseFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    ReceiptLineFactory,
)

pytestmark = pytest.mark.django_db


def test_factories_build_order_delivery_receipt_return_chain():
    line = GoodsReturnLineFactory(packs=2)
    receipt_line = line.receipt_line
    order_line = receipt_line.order_line
    assert receipt_line.hospital_id == order_line.order.hospital_id
    assert receipt_line.product_id == order_line.product_id
    assert receipt_line.accepted_min_units == order_line.packs * order_line.pack_size
    assert receipt_line.amount == (order_line.unit_price * receipt_line.accepted_min_units).quantize(Decimal("0.01"))
    assert receipt_line.supply_class == SupplyClass.DRUG
    assert line.min_units == 2 * order_line.pack_size
    assert line.goods_return.order_id == order_line.order_id


def test_authorization_regions_default_to_the_factory_region():
    auth = DistributionAuthorizationFactory()
    assert [r.code for r in auth.regions.all()] == ["150100"]


def test_idempotency_key_is_unique_per_hospital_only():
    first = PurchaseOrderFactory(idempotency_key="k-1")
    PurchaseOrderFactory(idempotency_key="k-1")  # another hospital may use the same key
    PurchaseOrderFactory(hospital=first.hospital, idempotency_key="")
    PurchaseOrderFactory(hospital=first.hospital, idempotency_key="")  # no key: no constraint
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseOrderFactory(hospital=first.hospital, idempotency_key="k-1")
    assert PurchaseOrder.objects.filter(hospital=first.hospital).count() == 3


def test_order_line_min_units_must_be_packs_times_pack_size():
    line = PurchaseOrderLineFactory(packs=3)
    assert line.min_units == 3 * line.pack_size
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseOrderLine.objects.filter(pk=line.pk).update(min_units=line.min_units + 1)


def test_rejected_packs_need_a_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceiptLineFactory(rejected_packs=1, reject_reason="")


def test_off_platform_purchase_one_row_per_hospital_product_month():
    row = OffPlatformPurchaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        OffPlatformPurchaseFactory(hospital=row.hospital, product=row.product, month=row.month)
    OffPlatformPurchaseFactory(hospital=HospitalFactory(), product=row.product, month=row.month)


def test_listing_transitions_follow_the_status_machine():
    listing = ListingFactory()
    listing.suspend()
    assert listing.status == Listing.Status.SUSPENDED
    listing.reinstate()
    listing.withdraw()
    assert listing.status == Listing.Status.WITHDRAWN
    with pytest.raises(Exception, match="Can't switch"):
        listing.reinstate()


def test_order_transitions_refuse_out_of_order_steps():
    order = PurchaseOrderFactory()
    with pytest.raises(Exception, match="Can't switch"):
        order.ship_fully()
    order.submit()
    order.accept()
    order.ship_partly()
    with pytest.raises(Exception, match="Can't switch"):
        order.cancel()
