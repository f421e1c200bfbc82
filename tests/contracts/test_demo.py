"""The demo's contracts: every state shown, every demo signature verifies, and a second run changes nothing."""

import pytest
from django.db.models import Count

from common.demo import DemoContext
from contracts import demo, policies, selectors
from contracts.models import ContractConfirmation, PurchaseContract, SigningKey
from procurement.models import Commitment

pytestmark = pytest.mark.django_db


def test_demo_contracts_in_every_state_with_valid_signatures(demo_province):
    statuses = dict(PurchaseContract.objects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == {"draft", "pending", "in_force", "superseded"}
    awaited = {tuple(policies.awaiting_parties(c)) for c in PurchaseContract.objects.filter(status="pending")}
    assert {("hospital",), ("distributor",), ("manufacturer", "distributor")} <= awaited
    assert PurchaseContract.objects.filter(version=2, status="in_force", previous__status="superseded").exists()
    signed = PurchaseContract.objects.filter(confirmations__isnull=False).distinct()
    assert signed.count() >= 6
    assert all(v.valid for c in signed for v in selectors.verify_all(c))
    assert set(SigningKey.objects.values_list("label", flat=True)) == {demo.DEMO_KEY_LABEL}
    # every commitment with an agreed volume has its contract
    assert not Commitment.objects.filter(agreed_volume__gt=0, contracts__isnull=True).exists()

    before = (PurchaseContract.objects.count(), ContractConfirmation.objects.count(), SigningKey.objects.count())
    demo.seed_late(DemoContext(rng=None))
    assert (
        PurchaseContract.objects.count(),
        ContractConfirmation.objects.count(),
        SigningKey.objects.count(),
    ) == before
