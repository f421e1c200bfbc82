"""结余留用 earned and paid, and 综合绩效: the award is payable only when the agreed volume was completed, a fund
officer reviews it, the payment is booked; a payment for a hospital that did not qualify is refused with nothing
written. Scores per hospital with configurable weights, linked to the prepayment rate (never below 30 %)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from common.errors import DomainError
from procurement.models import Commitment
from procurement.services.progress import progress_compute_all
from settlement.models import HospitalScore, JournalEntry, JournalLine, SavingsAward
from settlement.services import prepayments, savings, scores
from tests.settlement.world import build_world, receive

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ended():
    """The world's cycle ended yesterday: the Hohhot hospital bought all 10,000 agreed units, the Chifeng one 100
    of its 4,000."""
    world = build_world()
    yesterday = timezone.localdate() - timedelta(days=1)
    world.tender.cycle_end = yesterday
    world.tender.save(update_fields=["cycle_end"])
    Commitment.objects.filter(tender=world.tender).update(cycle_end=yesterday)
    on = world.tender.cycle_start + timedelta(days=20)
    receive(world, packs=1000, on=on)
    receive(world, hospital=world.far_hospital, packs=10, on=on)
    progress_compute_all(as_of=yesterday)
    return world


def test_awards_are_payable_only_when_the_agreed_volume_was_completed(ended):
    w = ended
    awards = {a.hospital_id: a for a in savings.savings_awards_assess(tender=w.tender, by=w.fund_officer)}
    mine, far = awards[w.hospital.pk], awards[w.far_hospital.pk]
    assert mine.qualified and mine.completion_rate == D("1.0000")
    assert mine.savings == D("6877.00") and mine.amount == D("3438.50")  # (1.2 − 0.5123) × 10,000 × 50 %
    assert not far.qualified and far.amount == 0 and far.completion_rate == D("0.0250")
    assert [r["code"] for r in far.reasons][0] == "completion_below"
    # a refusal needs a reason; approval and payment of the qualified one
    with pytest.raises(DomainError) as err:
        savings.savings_award_review(award=mine, approve=False, by=w.fund_officer)
    assert err.value.code == "reason_required"
    with pytest.raises(DomainError) as err:
        savings.savings_award_pay(award=mine, by=w.fund_officer)
    assert err.value.code == "savings_status"
    savings.savings_award_review(award=mine, approve=True, by=w.fund_officer, note="完成约定量")
    paid = savings.savings_award_pay(award=mine, by=w.fund_officer)
    assert paid.status == "paid" and paid.journal_entry.kind == JournalEntry.Kind.SAVINGS
    lines = {line.account.kind: line.amount for line in paid.journal_entry.lines.select_related("account")}
    assert lines == {"savings_expense": D("3438.50"), "fund_bank": D("-3438.50")}
    assert JournalLine.objects.aggregate(t=Sum("amount"))["t"] == 0
    # re-assessing leaves a reviewed award alone
    savings.savings_awards_assess(tender=w.tender, by=w.fund_officer)
    assert SavingsAward.objects.get(pk=mine.pk).status == "paid"


def test_paying_a_hospital_that_did_not_qualify_is_refused_and_writes_nothing(ended):
    w = ended
    savings.savings_awards_assess(tender=w.tender, by=w.fund_officer)
    far = SavingsAward.objects.get(hospital=w.far_hospital)
    entries = JournalEntry.objects.count()
    for step in (
        lambda: savings.savings_award_review(award=far, approve=True, by=w.fund_officer),
        lambda: savings.savings_award_pay(award=far, by=w.fund_officer),
    ):
        with pytest.raises(DomainError) as err:
            step()
        assert err.value.code == "savings_not_qualified" and err.value.status_code == 400
    far.refresh_from_db()
    assert far.status == "assessed" and far.journal_entry is None and JournalEntry.objects.count() == entries


@override_settings(SAVINGS_MIN_COMPLETION="0.02")
def test_the_completion_share_is_configurable(ended):
    savings.savings_awards_assess(tender=ended.tender, by=ended.fund_officer)
    assert SavingsAward.objects.get(hospital=ended.far_hospital).qualified


def test_assessing_before_the_cycle_ended_is_refused():
    w = build_world()
    with pytest.raises(DomainError) as err:
        savings.savings_awards_assess(tender=w.tender, by=w.fund_officer)
    assert err.value.code == "cycle_not_ended" and not SavingsAward.objects.exists()


def test_a_hospital_cannot_assess_or_pay(ended):
    with pytest.raises(DomainError) as err:
        savings.savings_awards_assess(tender=ended.tender, by=ended.hospital_user)
    assert err.value.status_code == 403


def test_scores_weights_and_links(ended):
    w = ended
    year = w.tender.cycle_start.year
    done = {s.hospital_id: s for s in scores.hospital_scores_compute(year=year, by=w.fund_officer)}
    mine = done[w.hospital.pk]
    assert mine.substitution == D("100.00") and mine.completion is not None
    assert scores.weighted(
        {"completion": D("100"), "online_share": None}, {"completion": D("1"), "online_share": D("3")}
    ) == D("100.00")
    low = done[w.far_hospital.pk]
    assert low.score < mine.score
    assert low.prepayment_rate >= D("0.30")
    with override_settings(SCORE_HIGH="102", SCORE_LOW="101", SCORE_PREPAYMENT_BONUS="0.50"):
        again = {s.hospital_id: s for s in scores.hospital_scores_compute(year=year, by=w.fund_officer)}
    assert again[w.hospital.pk].prepayment_rate == D("0.3000")  # lowered, but never below the floor
    assert HospitalScore.objects.filter(year=year).count() == 2


def test_the_linked_rate_is_the_default_prepayment(ended):
    w = ended
    HospitalScore.objects.create(
        hospital=w.hospital,
        year=w.tender.cycle_start.year - 1,
        score=D("95"),
        weights={},
        prepayment_rate=D("0.3500"),
        savings_share=D("0.6000"),
    )
    prepayment = prepayments.prepayment_create(hospital=w.hospital, tender=w.tender, by=w.fund_officer)
    assert prepayment.rate == D("0.3500")


@override_settings(SCORE_WEIGHTS={"completion": "1"})
def test_bad_weights_are_a_configuration_error(ended):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        scores.hospital_scores_compute(year=2026, by=ended.fund_officer)
