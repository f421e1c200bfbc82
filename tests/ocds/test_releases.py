"""Releases through a tender's life: stored when something changed and only then, with stable ids and dates, the
tags of each stage, totals that add up, nothing before the tender is announced and no sealed price before opening."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from ocds import packaging, selectors
from ocds.builder import build
from ocds.models import OcdsRelease
from ocds.schema import record_package_errors, release_package_errors
from ocds.services import releases_publish
from procurement.models import Commitment
from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding

pytestmark = pytest.mark.django_db

OCID = "ocds-nmgyx1-NMG-T-01"


def publish(tender):
    tender.refresh_from_db()
    return releases_publish(tender=tender)


def framework(tender) -> list[OcdsRelease]:
    return list(OcdsRelease.objects.filter(ocid=OCID).order_by("sequence"))


def award(world):
    world["tender"].refresh_from_db()
    if world["tender"].status != "bidding":
        to_bidding(world)
    for i in range(2):
        svc.bid_submit(
            lot=world["lot"],
            product=world["products"][i],
            price=["0.5123", "0.6000"][i],
            supply_capacity=10**6,
            by=world["reps"][i],
        )
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=world["tender"], by=world["official"])
    svc.tender_evaluate(tender=world["tender"], by=world["official"])
    svc.tender_award(tender=world["tender"], by=world["official"])
    world["tender"].refresh_from_db()


def test_a_draft_is_never_published(world):
    assert build(world["tender"]) == [] and publish(world["tender"]) == []
    svc.tender_cancel(tender=world["tender"], reason="不再采购", by=world["official"])
    assert publish(world["tender"]) == []  # cancelled while a draft: never announced
    assert not OcdsRelease.objects.exists()


def test_each_stage_is_tagged_and_an_unchanged_tender_gets_no_new_release(world):
    tender = world["tender"]
    svc.tender_start_demand_collection(tender=tender, by=world["official"])
    [planning] = publish(tender)
    assert planning.release_id == f"{OCID}-001" and planning.tags == ["planning"]
    assert planning.release["tender"]["status"] == "planned"
    assert "quantity" not in planning.release["tender"]["items"][0]  # demand still being collected
    assert publish(tender) == []  # nothing changed: nothing stored
    to_bidding(world)
    [bidding] = publish(tender)
    assert bidding.tags == ["tender"] and bidding.release["tender"]["status"] == "active"
    item = bidding.release["tender"]["items"][0]
    assert item["quantity"] == 100000 and item["unit"]["value"]["amount"] == 1.2  # 10k+20k+30k+40k reported
    assert bidding.release["tender"]["value"]["amount"] == 120000.0  # ceiling × reported demand
    award(world)
    [awarded, *call_offs] = publish(tender)
    assert awarded.tags == ["tenderUpdate", "award"]
    assert len(call_offs) == 4 and all(r.tags == ["tender", "award"] for r in call_offs)
    assert [r.sequence for r in framework(tender)] == [1, 2, 3]
    release = awarded.release
    assert release["tender"]["numberOfTenderers"] == 2 and release["bids"]["statistics"][0]["value"] == 2
    assert {a["status"] for a in release["awards"]} == {"active"}
    assert publish(tender) == []


def test_award_values_are_totals_that_sum_to_the_agreed_amounts(world):
    award(world)
    publish(world["tender"])
    agreed = sum(Commitment.objects.filter(tender=world["tender"]).values_list("agreed_amount", flat=True))
    assert agreed > 0
    [release] = selectors.record_releases(OCID)
    awards = release["awards"]
    assert sum(Decimal(str(a["value"]["amount"])) for a in awards) == agreed
    for entry in awards:  # quantity × unit price, per award, within the commitments' rounding to the cent
        item = entry["items"][0]
        total = Decimal(str(item["unit"]["value"]["amount"])) * item["quantity"]
        assert abs(Decimal(str(entry["value"]["amount"])) - total) < Decimal("0.01") * 4
    for hospital in world["hospitals"]:
        mine = Commitment.objects.filter(tender=world["tender"], hospital=hospital)
        ocid = f"{OCID}-{hospital.uscc}"
        [call_off] = selectors.record_releases(ocid)
        assert call_off["buyer"]["id"] == f"CN-USCC-{hospital.uscc}"
        assert call_off["relatedProcesses"][0] == {
            "id": "framework",
            "relationship": ["framework"],
            "title": "测试批次",
            "scheme": "ocid",
            "identifier": OCID,
        }
        values = [Decimal(str(a["value"]["amount"])) for a in call_off["awards"]]
        assert sum(values) == sum(c.agreed_amount for c in mine)
        assert [a["items"][0]["quantity"] for a in call_off["awards"]] == [c.agreed_volume for c in mine]


def test_releases_and_records_validate_with_the_extensions(world):
    award(world)
    publish(world["tender"])
    rows = selectors.release_data(selectors.releases())
    assert release_package_errors(packaging.release_package(rows, path="releases/")) == []
    for ocid in {r["ocid"] for r in rows}:
        assert record_package_errors(packaging.record_package(ocid, selectors.record_releases(ocid))) == []
    roles = {p["id"]: set(p["roles"]) for p in rows[0]["parties"]}
    maker = f"CN-USCC-{world['makers'][0].uscc}"
    assert roles[maker] == {"supplier", "tenderer"} and "buyer" in roles[rows[0]["buyer"]["id"]]


def test_no_sealed_price_before_opening(world):
    to_bidding(world)
    svc.bid_submit(
        lot=world["lot"], product=world["products"][0], price="0.5123", supply_capacity=10, by=world["reps"][0]
    )
    publish(world["tender"])
    text = packaging.to_json({"releases": selectors.release_data(selectors.releases())})
    assert "0.5123" not in text and "bids" not in text and world["makers"][0].name not in text


def test_a_status_change_queues_the_publishing(world, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the queued task runs here after the commit, also where CI sets REDIS_URL
    with django_capture_on_commit_callbacks(execute=True):
        svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    assert [r.tags for r in OcdsRelease.objects.all()] == [["planning"]]


def test_a_cancelled_tender_is_a_tender_cancellation(world):
    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    publish(world["tender"])
    svc.tender_cancel(tender=world["tender"], reason="国家集采已覆盖", by=world["official"])
    [cancelled] = publish(world["tender"])
    assert cancelled.tags == ["tenderCancellation"] and cancelled.release["tender"]["status"] == "cancelled"


def test_exporting_an_unchanged_tender_twice_gives_the_same_text(world):
    award(world)
    outputs = []
    for options in ((), (), ("--record",), ("--record",), ("--call-offs",), ("--call-offs",)):
        out = io.StringIO()
        call_command("export_ocds", world["tender"].code, *options, stdout=out)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1] and outputs[2] == outputs[3] and outputs[4] == outputs[5]
    assert OcdsRelease.objects.filter(ocid=OCID).count() == 1
