"""Direct settlement is the hospitals': a pharmacy's receipt of a negotiated drug never enters a statement, even when
the fund settles negotiated drugs directly (docs/pharmacies.md)."""

from datetime import timedelta

import pytest

from settlement.generation import fund_for_region, generate_statements
from settlement.models import SettlementStatement
from tests.factories import PharmacyFactory, league
from tests.settlement.world import build_world, month_start, receive

pytestmark = pytest.mark.django_db


def test_a_pharmacys_receipts_are_not_settled_directly():
    world = build_world()
    period = month_start(1)
    product = world.plain_listing.product
    product.negotiated = True
    product.save()
    fund = fund_for_region(league("150100"))
    fund.include_negotiated = True
    fund.save()
    pharmacy = PharmacyFactory(name="结算测试大药房")
    receive(world, hospital=pharmacy, listing=world.plain_listing, packs=2, on=period + timedelta(days=3))
    receive(world, listing=world.plain_listing, packs=2, on=period + timedelta(days=3))
    generate_statements(month=period)
    assert SettlementStatement.objects.filter(manufacturer=world.other_maker, hospital=world.hospital).exists()
    assert not SettlementStatement.objects.filter(hospital=pharmacy).exists()
