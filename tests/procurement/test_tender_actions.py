"""Who may do what to a tender (selectors.tender_actions), state by state and role by role — and the page and the API
offer exactly that."""

from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from procurement.selectors.tender_actions import (
    TenderRole,
    tender_allowed_actions,
    tender_bids_for,
    tender_commitments_for,
    tender_role,
)
from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding


def allowed(user, tender) -> set[str]:
    tender.refresh_from_db()
    return set(tender_allowed_actions(user, tender).names())


def api_allowed(user, tender) -> set[str]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/tenders/{tender.pk}/")
    assert response.status_code == 200, response.content
    return set(response.json()["allowed_actions"])


def page(user, tender) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/tenders/{tender.pk}/").content.decode()


@pytest.mark.django_db
def test_each_role_is_offered_the_steps_of_the_tenders_state(world):
    tender, official, rep, buyer = world["tender"], world["official"], world["reps"][0], world["buyers"][0]
    assert [tender_role(u) for u in (official, rep, buyer)] == [
        TenderRole.OFFICIAL,
        TenderRole.MANUFACTURER,
        "hospital",
    ]

    # draft: only the official acts — lots, rules, start demand collection, cancel
    assert allowed(official, tender) == {"manage", "start_demand", "add_lot", "set_rules", "cancel"}
    assert api_allowed(official, tender) == allowed(official, tender)
    assert "开始报量" in page(official, tender)

    # demand collection: hospitals report while the window is open; the official imports and watches coverage
    svc.tender_start_demand_collection(tender=tender, by=official)
    assert allowed(official, tender) == {"manage", "add_lot", "set_rules", "cancel", "view_coverage", "import_demand"}
    assert allowed(buyer, tender) == {"report_demand"} == api_allowed(buyer, tender)
    assert allowed(rep, tender) == set()
    html = page(official, tender)
    assert "开始报量" not in html and "导入报量" in html

    # bidding: manufacturers bid until the deadline; the official's opening button waits for the opening time
    to_bidding(world)
    assert allowed(official, tender) == {"manage", "cancel", "view_coverage", "open_bids_later"}
    assert allowed(rep, tender) == {"bid"} == api_allowed(rep, tender)
    assert allowed(buyer, tender) == set()
    assert "提交申报" in page(rep, tender) and "disabled" in page(official, tender)
    bid = svc.bid_submit(lot=world["lot"], product=world["products"][0], price="0.5", supply_capacity=1000, by=rep)
    shift(tender, bid_deadline=timedelta(seconds=-2), opening_at=timedelta(hours=1))
    assert allowed(rep, tender) == set()  # past the deadline, not yet opened
    assert "提交申报" not in page(rep, tender)
    shift(tender, opening_at=timedelta(seconds=-1))  # (no page read in between: the periodic step has not opened it)
    assert allowed(official, tender) == {"manage", "cancel", "view_coverage", "open_bids"}

    # opened: evaluate, then publish; nobody else acts
    svc.tender_open_bids(tender=tender, by=official)
    assert allowed(official, tender) == {"manage", "cancel", "evaluate", "review_evaluation", "view_results"}
    svc.tender_evaluate(tender=tender, by=official)
    assert allowed(official, tender) == {
        "manage",
        "cancel",
        "rerun_evaluation",
        "review_evaluation",
        "publish_awards",
        "view_results",
    }
    assert allowed(rep, tender) == set() and allowed(buyer, tender) == set()  # results not yet public

    # awarded: results for everyone; nothing more to do
    svc.tender_award(tender=tender, by=official)
    for user in (official, rep, buyer):
        assert allowed(user, tender) == ({"manage", "view_results"} if user is official else {"view_results"})
        assert api_allowed(user, tender) == allowed(user, tender)

    # what each sees of the bids and agreed volumes
    assert list(tender_bids_for(rep, tender)) == [bid]
    assert not tender_bids_for(world["reps"][1], tender).exists() and not tender_bids_for(buyer, tender).exists()
    assert tender_commitments_for(official, tender).count() == 4
    assert {c.hospital_id for c in tender_commitments_for(buyer, tender)} == {buyer.organization_id}
    assert {c.manufacturer_id for c in tender_commitments_for(rep, tender)} == {rep.organization_id}


@pytest.mark.django_db
def test_a_cancelled_tender_offers_nothing(world):
    tender, official = world["tender"], world["official"]
    svc.tender_start_demand_collection(tender=tender, by=official)
    svc.tender_cancel(tender=tender, reason="国家集采已覆盖", by=official)
    assert allowed(official, tender) == {"manage"}
    assert allowed(world["buyers"][0], tender) == set()
    html = page(official, tender)
    assert "终止采购" not in html and "导入报量" not in html
