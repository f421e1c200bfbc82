"""Thirty bids arriving around the deadline: each is either fully in (before the deadline) or rejected."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from common.errors import ConflictError
from procurement.models import Bid, Tender
from procurement.services import tenders as svc
from tests.catalog.test_search import make
from tests.factories import AgencyFactory, ManufacturerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_bids_racing_the_deadline_are_all_or_nothing():
    official = UserFactory(username="race_official", organization=AgencyFactory(), roles=["pricing_official"])
    now = timezone.now()
    tender = svc.tender_create(
        by=official,
        code="RACE-01",
        name="截止竞争",
        demand_start=now - timedelta(hours=2),
        demand_end=now + timedelta(minutes=1),
        bid_deadline=now + timedelta(minutes=2),
        opening_at=now + timedelta(minutes=3),
        cycle_start=date(2027, 1, 1),
        cycle_end=date(2027, 12, 31),
    )
    lot = svc.lot_add(tender=tender, by=official, number="01", generic_name="阿托伐他汀钙片", max_price="2")
    svc.tender_start_demand_collection(tender=tender, by=official)
    Tender.objects.filter(pk=tender.pk).update(demand_end=now - timedelta(seconds=5))
    svc.tender_refresh(tender=tender)
    bidders = []
    for i in range(30):
        maker = ManufacturerFactory(name=f"竞速制药{i:02d}有限公司")
        product = make("阿托伐他汀钙片", f"XC10AAA128A0010101{i + 100:05d}", maker=maker, specification="20mg")
        bidders.append((UserFactory(username=f"race{i:02d}", organization=maker, roles=["manufacturer_rep"]), product))
    deadline = timezone.now() + timedelta(seconds=1.5)
    Tender.objects.filter(pk=tender.pk).update(bid_deadline=deadline)

    outcomes: dict[int, str] = {}

    def submit(index: int, user, product):
        try:
            # Spread the arrivals over ±0.6 s around the deadline.
            target = deadline + timedelta(seconds=(index - 15) * 0.04)
            time.sleep(max(0.0, (target - timezone.now()).total_seconds()))
            svc.bid_submit(lot=lot, product=product, price="1.0000", supply_capacity=1000, by=user)
            outcomes[index] = "in"
        except ConflictError as exc:
            outcomes[index] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i, u, p)) for i, (u, p) in enumerate(bidders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == 30
    accepted = [i for i, o in outcomes.items() if o == "in"]
    rejected = [i for i, o in outcomes.items() if o != "in"]
    assert set(o for o in outcomes.values() if o != "in") <= {"deadline_passed"}
    assert accepted and rejected, outcomes  # the race really straddled the deadline
    bids = list(Bid.objects.filter(tender=tender))
    assert len(bids) == len(accepted)
    for bid in bids:
        assert bid.submitted_at < deadline and bid.sealed_price and len(bid.seal_hash) == 64 and bid.price is None
