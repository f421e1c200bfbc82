"""Objections to a credit record before it takes effect: the record waits while the objection is open; an upheld
objection revokes it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.errors import DomainError
from pricing.models import CreditRecord
from pricing.services.credit import credit_record_create, credit_records_maintain
from procurement.models import Listing
from tests.catalog.test_search import make
from tests.factories import ManufacturerFactory, UserFactory
from transparency.errors import TransparencyError
from transparency.models import Objection
from transparency.services import objections as objection_svc

pytestmark = pytest.mark.django_db


@pytest.fixture
def future_record(official):
    maker = ManufacturerFactory(name="信用异议测试制药")
    product = make("阿莫西林胶囊", "XJ01CAA040E001010100999", maker=maker)
    Listing.objects.create(
        product=product,
        manufacturer=maker,
        unit_price="0.5000",
        pack_price="12.00",
        valid_from=timezone.localdate(),
        source=Listing.Source.APPLICATION,
    )
    rep = UserFactory(username="credit_rep", organization=maker, roles=["manufacturer_rep"])
    record = credit_record_create(
        organization=maker,
        behaviour="price_fraud",
        level="very_serious",
        evidence="虚高报价",
        start=timezone.localdate() + timedelta(days=5),
        by=official,
    )
    return record, rep


def test_open_objection_holds_the_record_and_upheld_revokes_it(future_record, official):
    record, rep = future_record
    objection = objection_svc.objection_file(by=rep, credit_record=record, grounds="涉案价格系经销商行为")
    CreditRecord.objects.filter(pk=record.pk).update(start=timezone.localdate())  # its start has come
    credit_records_maintain()
    assert CreditRecord.objects.get(pk=record.pk).suspended_listing_ids == []  # held while the objection is open
    objection_svc.objection_answer(objection=objection, by=official, outcome="upheld", answer="证据不足，撤销")
    assert CreditRecord.objects.get(pk=record.pk).status == "ended"


def test_objection_to_a_record_in_effect_or_another_companys(future_record, official):
    record, rep = future_record
    CreditRecord.objects.filter(pk=record.pk).update(start=timezone.localdate())
    with pytest.raises(DomainError) as exc:
        objection_svc.objection_file(by=rep, credit_record=record, grounds="x")
    assert exc.value.code == TransparencyError.RECORD_IN_EFFECT
    other = UserFactory(username="other_rep", organization=ManufacturerFactory(), roles=["manufacturer_rep"])
    with pytest.raises(DomainError) as exc:
        objection_svc.objection_file(by=other, credit_record=record, grounds="x")
    assert exc.value.status_code == 404
    assert not Objection.objects.exists()


def test_rejected_objection_lets_the_record_take_effect_after_the_appeal_window(future_record, official):
    record, rep = future_record
    objection = objection_svc.objection_file(by=rep, credit_record=record, grounds="涉案价格系经销商行为")
    objection_svc.objection_answer(objection=objection, by=official, outcome="rejected", answer="证据确凿")
    CreditRecord.objects.filter(pk=record.pk).update(start=timezone.localdate())
    credit_records_maintain()
    assert CreditRecord.objects.get(pk=record.pk).suspended_listing_ids == []  # the appeal window is open
    Objection.objects.filter(pk=objection.pk).update(appeal_due=timezone.now() - timedelta(seconds=1))
    credit_records_maintain()
    assert len(CreditRecord.objects.get(pk=record.pk).suspended_listing_ids) == 1
