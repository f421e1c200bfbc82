"""Fixtures of the procurement tests used by more than one module."""

import pytest

from procurement.services import tenders as svc


@pytest.fixture
def collecting(world):
    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    world["tender"].refresh_from_db()
    return world
