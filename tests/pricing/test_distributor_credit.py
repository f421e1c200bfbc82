"""A distributor's credit record suspends its distribution authorisations; lifting it restores exactly those."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from common.errors import ConflictError, ValidationFailed
from common.models import AuditEvent
from pricing.models import CreditRecord
from pricing.services import credit as credit_svc
from procurement.models import DistributionAuthorization
from procurement.services import authorizations as auth_svc
from procurement.services import orders as order_svc
from tests.factories import UserFactory
from tests.procurement.ordering import build_world


@pytest.fixture
def w(db):
    return build_world()


def _active(w) -> dict[int, bool]:
    return dict(
        DistributionAuthorization.objects.filter(distributor=w.distributor).values_list("product_id", "is_active")
    )


def _record(w, official, level, products=(), scheme="2020", **kw):
    return credit_svc.credit_record_create(
        organization=w.distributor,
        behaviour="breach",
        scheme=scheme,
        level=level,
        amount="400000",
        evidence="恶意断供",
        start=timezone.localdate(),
        products=list(products),
        by=official,
        **kw,
    )


def test_serious_record_suspends_the_products_involved_and_ordering_through_it_is_refused(w, official):
    p1, p2 = w.listing.product_id, w.listing2.product_id
    record = _record(w, official, "serious", products=[w.listing.product])
    assert _active(w) == {p1: False, p2: True}
    suspended = DistributionAuthorization.objects.get(distributor=w.distributor, product_id=p1)
    assert record.suspended_authorization_ids == [suspended.pk]
    assert "信用评价严重" in suspended.suspended_reason
    assert AuditEvent.objects.filter(object_id=suspended.pk, action="suspended").exists()
    with pytest.raises(ValidationFailed, match="授权已暂停") as exc:
        order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=[{"listing": w.listing.pk, "packs": 1}])
    assert w.distributor.name in str(exc.value)
    # the other product still goes through it
    order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=[{"listing": w.listing2.pk, "packs": 1}])
    credit_svc.credit_record_repair(record=record, note="已恢复供货", by=official)
    assert _active(w) == {p1: True, p2: True}
    assert DistributionAuthorization.objects.get(pk=suspended.pk).suspended_reason == ""
    order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=[{"listing": w.listing.pk, "packs": 1}])


def test_very_serious_suspends_all_and_another_record_keeps_its_hold(w, official):
    p1, p2 = w.listing.product_id, w.listing2.product_id
    serious = _record(w, official, "serious", products=[w.listing.product])
    very = _record(w, official, "very_serious", scheme="2025")
    assert _active(w) == {p1: False, p2: False}
    assert len(very.suspended_authorization_ids) == 1  # the first was already suspended by the serious record
    credit_svc.credit_record_repair(record=very, note="整改完成", by=official)
    assert _active(w) == {p1: False, p2: True}
    credit_svc.credit_record_repair(record=serious, note="整改完成", by=official)
    assert _active(w) == {p1: True, p2: True}


def test_an_ending_record_lifts_the_suspension_and_a_revoked_authorisation_stays_revoked(w, official):
    today = timezone.localdate()
    credit_svc.credit_record_create(
        organization=w.distributor,
        behaviour="breach",
        level="very_serious",
        amount="0",
        evidence="断供",
        start=today - timedelta(days=10),
        end=today - timedelta(days=1),
        by=official,
    )
    assert set(_active(w).values()) == {False}
    assert credit_svc.credit_records_maintain(today=today)["ended"] == 1
    assert set(_active(w).values()) == {True}
    auth = DistributionAuthorization.objects.filter(distributor=w.distributor).order_by("pk").first()
    maker_rep = UserFactory(organization=auth.manufacturer, roles=["manufacturer_rep"])
    auth_svc.authorization_revoke(authorization=auth, by=maker_rep, reason="合同终止")
    with pytest.raises(ConflictError, match="未被暂停"):
        auth_svc.authorization_reinstate(authorization=auth, by=official, reason="误操作")
    assert not DistributionAuthorization.objects.get(pk=auth.pk).is_active


def test_a_serious_distributor_record_without_products_is_refused(w, official):
    with pytest.raises(ValidationFailed, match="涉及产品") as exc:
        _record(w, official, "serious")
    assert exc.value.field == "products"
    assert not CreditRecord.objects.exists() and set(_active(w).values()) == {True}
