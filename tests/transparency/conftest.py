"""A tender whose candidate results are on public notice: `noticed` is the tenders' `world` opened and evaluated with
two bids (makers 0 and 1; maker 2 did not bid), the notice period the default 3 days."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from procurement.models import TenderEvaluation
from procurement.services import tenders as svc
from tests.factories import UserFactory
from tests.fixtures.tenders import shift, to_bidding, world  # noqa: F401 - the fixture this module builds on


@pytest.fixture(autouse=True)
def notice_rules(settings):
    settings.TENDER_NOTICE_DAYS = 3
    settings.OBJECTION_ANSWER_DAYS = 3
    settings.APPEAL_DAYS = 10
    cache.clear()  # the public API's cached answers of another test
    yield
    cache.clear()


@pytest.fixture
def noticed(world):  # noqa: F811
    to_bidding(world)
    lot, reps, products = world["lot"], world["reps"], world["products"]
    world["bids"] = [
        svc.bid_submit(lot=lot, product=products[0], price="0.5000", supply_capacity=500000, by=reps[0]),
        svc.bid_submit(lot=lot, product=products[1], price="0.6000", supply_capacity=500000, by=reps[1]),
    ]
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_refresh(tender=world["tender"])
    world["run"] = svc.tender_evaluate(tender=world["tender"], by=world["official"])
    world["tender"].refresh_from_db()
    return world


@pytest.fixture
def supervisor(agency):
    return UserFactory(username="supervisor", organization=agency, roles=["supervisor"])


def end_notice(tender, days: int = 4) -> None:
    """Move the current run's time back past the notice period (tests only)."""
    TenderEvaluation.objects.filter(tender=tender, is_current=True).update(
        run_at=TenderEvaluation.objects.get(tender=tender, is_current=True).run_at - timedelta(days=days)
    )
