"""Pages are scoped to the user's organisation: lists show only its own rows, and another organisation's page is a 404
(the access matrix checks the status of every route; these check what the rendered lists and tables contain)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from pricing.models import PriceAlert
from pricing.services.alerts import alert_assign, alert_send_inquiry
from pricing.services.scan import price_scan_run
from procurement.models import Commitment
from procurement.services import orders as order_svc
from settlement.generation import generate_statements
from settlement.models import SettlementStatement
from tests.factories import ManufacturerFactory, UserFactory
from tests.procurement.ordering import build_world as ordering_world
from tests.settlement.world import build_world as settlement_world
from tests.settlement.world import month_start, receive

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_order_lists_show_only_the_organisations_own_orders():
    w = ordering_world()
    mine = order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(), submit=True)
    theirs = order_svc.order_create(by=w.other_buyer, distributor=w.distributor, lines=w.lines(), submit=True)
    page = as_user(w.buyer).get("/orders/").content.decode()
    assert mine.number in page and theirs.number not in page
    assert as_user(w.buyer).get(f"/orders/{theirs.pk}/").status_code == 404
    # The other distributor has neither in its work list nor in its deliveries.
    incoming = as_user(w.other_dist_rep).get("/orders/incoming/").content.decode()
    assert mine.number not in incoming and theirs.number not in incoming
    assert as_user(w.other_dist_rep).get(f"/orders/{mine.pk}/").status_code == 404
    # The distributor of both sees both.
    incoming = as_user(w.dist_rep).get("/orders/incoming/").content.decode()
    assert mine.number in incoming and theirs.number in incoming


def test_statement_lists_show_only_the_organisations_own_statements():
    w = settlement_world(prefix="S")
    period = month_start(1)
    receive(w, packs=5, on=period + timedelta(days=3))
    receive(w, hospital=w.far_hospital, packs=2, on=period + timedelta(days=3))
    generate_statements(month=period)
    near = SettlementStatement.objects.get(hospital=w.hospital)
    far = SettlementStatement.objects.get(hospital=w.far_hospital)
    page = as_user(w.hospital_user).get("/settlement/").content.decode()
    assert near.number in page and far.number not in page
    assert as_user(w.hospital_user).get(f"/settlement/{far.pk}/").status_code == 404
    # A manufacturer without statements sees none, and none of the pages.
    page = as_user(w.other_rep).get("/settlement/").content.decode()
    assert near.number not in page and far.number not in page
    assert as_user(w.other_rep).get(f"/settlement/{near.pk}/").status_code == 404
    assert as_user(w.other_rep).post(f"/settlement/{near.pk}/", {"action": "claim"}).status_code == 404
    # The fund officer sees both.
    page = as_user(w.fund_officer).get("/settlement/").content.decode()
    assert near.number in page and far.number in page


def test_a_manufacturer_sees_only_its_own_agreed_volumes_on_the_tender_page():
    w = settlement_world(prefix="C")
    other_rep = w.other_rep
    winner = UserFactory(username="c_winner", organization=w.maker, roles=["manufacturer_rep"])
    page = as_user(winner).get(f"/tenders/{w.tender.pk}/").content.decode()
    commitments = Commitment.objects.filter(tender=w.tender)
    assert page.count("data-commitment=") == commitments.count()
    assert f'data-agreed-total="{sum(c.agreed_volume for c in commitments)}"' in page
    page = as_user(other_rep).get(f"/tenders/{w.tender.pk}/").content.decode()
    assert "data-commitment=" not in page and w.far_hospital.name not in page
    # A hospital sees its own agreed volume only.
    page = as_user(w.hospital_user).get(f"/tenders/{w.tender.pk}/").content.decode()
    assert page.count("data-commitment=") == 1 and w.far_hospital.name not in page


def test_inquiries_are_shown_only_to_the_addressed_organisation(
    peer_world,
    official,
    manufacturer,
    manufacturer_rep,
):
    price_scan_run(full=True)
    alert = PriceAlert.objects.get()
    alert_assign(alert=alert, assignee=official, by=official)
    inquiry = alert_send_inquiry(
        alert=alert,
        recipient=manufacturer,
        letter="请说明价格构成（范围测试）",
        reply_due=timezone.localdate() + timedelta(days=3),
        by=official,
    )
    outsider = UserFactory(username="q_outsider", organization=ManufacturerFactory(), roles=["manufacturer_rep"])
    assert "请说明价格构成（范围测试）" in as_user(manufacturer_rep).get("/pricing/inquiries/").content.decode()
    assert "请说明价格构成（范围测试）" not in as_user(outsider).get("/pricing/inquiries/").content.decode()
    response = as_user(outsider).post(f"/pricing/inquiries/{inquiry.pk}/reply/", {"reply": "不是我们"})
    assert response.status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.reply == ""
    # Alerts are the officials' pages: a company gets no inbox and no alert page.
    assert as_user(manufacturer_rep).get("/pricing/alerts/").status_code == 403
    assert as_user(manufacturer_rep).get(f"/pricing/alerts/{alert.pk}/").status_code in (403, 404)
