"""`represent` reads plain attributes directly and leaves everything else to DRF: its answer is the serializer's."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from common.api import represent
from procurement.api.orders import EventSerializer, OrderLineSerializer
from procurement.models import OrderEvent, PurchaseOrderLine


def test_a_missing_link_in_a_source_chain_gives_the_fields_default():
    event = OrderEvent(
        pk=7,
        action="created",
        to_status="draft",
        actor=None,
        organization_id=None,
        data={"lines": 2},
        at=datetime(2025, 3, 1, 8, 30, tzinfo=ZoneInfo("UTC")),
    )
    assert represent(EventSerializer, event) == EventSerializer(event).data
    assert represent(EventSerializer, event)["actor"] == ""


def test_foreign_keys_give_their_ids_or_none():
    line = PurchaseOrderLine(
        pk=3,
        line_no=1,
        listing_id=11,
        product_id=12,
        manufacturer_id=13,
        award_id=None,
        substitution_for_id=None,
        packs=2,
        pack_size=10,
        min_units=20,
        unit_price=Decimal("1.2345"),
        pack_price=Decimal("12.35"),
        amount=Decimal("24.69"),
    )
    line.product = None  # a line without its product read: the product columns come out as DRF gives them
    rendered = represent(OrderLineSerializer, line)
    assert rendered == OrderLineSerializer(line).data
    assert (rendered["listing"], rendered["award"], rendered["substitution_for"]) == (11, None, None)
