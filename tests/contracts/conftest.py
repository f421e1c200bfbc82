import pytest

from contracts.services import parties

from .world import build, generated


@pytest.fixture
def cw(db):
    return build()


@pytest.fixture
def pending(cw):
    """The commitment's contract, distributor chosen: fixed, awaiting the three confirmations."""
    contract = generated(cw)
    return parties.contract_choose_distributor(contract=contract, by=cw.buyer, distributor_id=cw.distributor.pk)
