"""A deactivated organisation's users can neither sign in nor act, whatever they hold (a session signed in before, an
API token of any kind), from the first request after the deactivation; the deactivation is audited and what it leaves
behind is decided: listings suspended, bids invalid at opening, orders flagged for redirection, the fund still pays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from rest_framework.test import APIClient

from accounts import services as account_svc
from accounts.models import ApiToken, Organization, User
from accounts.services import token_sign_in
from common.errors import ConflictError, ValidationFailed
from common.models import AuditEvent, Notification
from procurement.models import Bid, Listing, PurchaseOrder
from procurement.services import orders as order_svc
from procurement.services import tenders as tender_svc
from settlement.generation import generate_statements
from settlement.models import SettlementStatement
from settlement.services.payments import payment_record
from settlement.services.review import statement_approve
from settlement.services.statements import statement_review
from tests.factories import UserFactory
from tests.fixtures.tenders import shift, to_bidding
from tests.procurement.ordering import build_world
from tests.security.test_access_matrix import ROUTES
from tests.settlement import world as settlement_world
from tests.utils import api_as

PASSWORD = "pw-123456"  # tests.factories.UserFactory's
INACTIVE = "organization_inactive"


@pytest.fixture
def admin(agency):
    return UserFactory(username="deact_admin", organization=agency, roles=["platform_admin"], is_staff=True)


@pytest.fixture
def orders():
    return build_world()


@pytest.fixture
def tender_world(world):
    """The tender of tests/fixtures/tenders.py (this module's other worlds are orders and statements)."""
    return world


def deactivate(org, by, reason="营业执照被吊销"):
    return account_svc.organization_deactivate(organization=org, by=by, reason=reason)


def token_client(user) -> APIClient:
    """An API client holding a token made after the deactivation: the refusal must not rest on token revocation."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_sign_in(user=user)[1]}")
    return client


def refused(response) -> bool:
    return response.status_code == 403 and response.json()["code"] == INACTIVE and "已停用" in response.json()["detail"]


# --- acting ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_deactivated_hospital_can_no_longer_place_or_submit_orders(orders, admin):
    draft = order_svc.order_create(by=orders.buyer, distributor=orders.distributor, lines=orders.lines())
    deactivate(orders.hospital, admin)
    before = (PurchaseOrder.objects.count(), PurchaseOrder.objects.get(pk=draft.pk).status)
    # a token, and any authentication that hands DRF the user (as a session does, read afresh on each request)
    for client in (token_client(orders.buyer), api_as(User.objects.get(pk=orders.buyer.pk))):
        response = client.post(
            "/api/v1/orders/",
            {"distributor": orders.distributor.pk, "lines": orders.lines(), "submit": True},
            format="json",
        )
        assert refused(response), response.content
        assert refused(client.post(f"/api/v1/orders/{draft.pk}/submit/", {}, format="json"))
        assert refused(client.get("/api/v1/orders/"))
    assert (PurchaseOrder.objects.count(), PurchaseOrder.objects.get(pk=draft.pk).status) == before


@pytest.mark.django_db
def test_a_deactivated_distributor_can_no_longer_accept_orders(orders, admin):
    order = order_svc.order_create(by=orders.buyer, distributor=orders.distributor, lines=orders.lines(), submit=True)
    deactivate(orders.distributor, admin)
    response = token_client(orders.dist_rep).post(f"/api/v1/orders/{order.pk}/accept/", {}, format="json")
    assert refused(response)
    assert PurchaseOrder.objects.get(pk=order.pk).status == "submitted"


@pytest.mark.django_db
def test_a_deactivated_manufacturer_can_no_longer_replace_its_bids(tender_world, admin):
    to_bidding(tender_world)
    rep, maker = tender_world["reps"][0], tender_world["makers"][0]
    bid = tender_svc.bid_submit(
        lot=tender_world["lot"], product=tender_world["products"][0], price="0.5000", supply_capacity=1000, by=rep
    )
    deactivate(maker, admin)
    response = token_client(rep).post(
        f"/api/v1/bids/{bid.pk}/replace/", {"price": "0.4000", "supply_capacity": 900}, format="json"
    )
    assert refused(response)
    assert list(Bid.objects.values_list("pk", "status")) == [(bid.pk, "submitted")]


@pytest.mark.django_db
def test_every_api_endpoint_refuses_a_deactivated_organisations_user(orders, admin):
    """Checked in one place: no view can forget it. Every list endpoint of the access matrix answers 403."""
    deactivate(orders.hospital, admin)
    client = token_client(orders.buyer)
    paths = [p for p, r in ROUTES.items() if p.startswith("/api/v1/") and r.method == "GET" and "/1/" not in p]
    assert len(paths) > 30
    answers = {path: client.get(path).status_code for path in paths}
    assert set(answers.values()) == {403}, {p: s for p, s in answers.items() if s != 403}


@pytest.mark.django_db
def test_every_page_refuses_a_session_signed_in_before_the_deactivation(orders, admin):
    clients = []
    for _ in range(2):
        client = Client()
        assert client.post("/accounts/login/", {"username": "o_buyer", "password": PASSWORD}).status_code == 302
        assert client.get("/orders/").status_code == 200
        clients.append(client)
    deactivate(orders.hospital, admin)
    page = clients[0].get("/orders/")
    assert page.status_code == 403 and "已停用" in page.content.decode() and "订单测试医院" in page.content.decode()
    assert SESSION_KEY not in clients[0].session  # signed out: the next request is an anonymous visitor's
    assert clients[0].get("/orders/").status_code == 302
    api = clients[1].get("/api/v1/orders/")
    assert refused(api)
    paths = [p for p, r in ROUTES.items() if not p.startswith("/api/") and r.method == "GET" and "/1/" not in p]
    for path in paths:
        client = Client()
        client.force_login(orders.buyer)
        assert client.get(path).status_code == 403, path


# --- signing in --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_deactivated_organisations_user_cannot_sign_in_anywhere(orders, admin):
    staff = UserFactory(username="o_hospadmin", organization=orders.hospital, roles=["hospital_admin"], is_staff=True)
    deactivate(orders.hospital, admin)
    client = Client()
    page = client.post("/accounts/login/", {"username": "o_buyer", "password": PASSWORD})
    assert page.status_code == 200 and "已停用" in page.content.decode() and SESSION_KEY not in client.session
    wrong = client.post("/accounts/login/", {"username": "o_buyer", "password": "not-the-password"})
    assert "已停用" not in wrong.content.decode()  # told only to whoever knows the password
    admin_page = client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert (
        admin_page.status_code == 200 and "已停用" in admin_page.content.decode() and SESSION_KEY not in client.session
    )
    token = APIClient().post("/api/v1/auth/token/", {"username": "o_buyer", "password": PASSWORD}, format="json")
    assert refused(token) and not ApiToken.objects.filter(user=orders.buyer).exists()
    assert (
        APIClient().post("/api/v1/auth/token/", {"username": "o_buyer", "password": "x"}, format="json").status_code
        == 400
    )


# --- the service -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deactivation_is_audited_revokes_tokens_and_reactivation_restores_access(orders, admin):
    old_token, _key = token_sign_in(user=orders.buyer)
    client = APIClient()
    response = client.post(f"/api/v1/organizations/{orders.hospital.pk}/deactivate/", {"reason": "合并"}, format="json")
    assert response.status_code == 401
    admin_api = token_client(admin)
    response = admin_api.post(
        f"/api/v1/organizations/{orders.hospital.pk}/deactivate/", {"reason": "机构撤并"}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    event = AuditEvent.objects.get(action="deactivated", object_id=orders.hospital.pk)
    assert (event.actor, event.note, event.from_state, event.to_state) == (admin, "机构撤并", "active", "inactive")
    assert event.data["tokens_revoked"] == 1 and not ApiToken.objects.filter(pk=old_token.pk).exists()
    assert orders.hospital.history.latest().history_change_reason == "机构撤并"
    assert orders.hospital.history.latest().history_user == admin
    again = admin_api.post(f"/api/v1/organizations/{orders.hospital.pk}/deactivate/", {"reason": "x"}, format="json")
    assert again.status_code == 409
    assert (
        admin_api.post(
            f"/api/v1/organizations/{orders.hospital.pk}/reactivate/", {"reason": ""}, format="json"
        ).status_code
        == 400
    )
    assert Organization.objects.get(pk=orders.hospital.pk).is_active is False
    response = admin_api.post(
        f"/api/v1/organizations/{orders.hospital.pk}/reactivate/", {"reason": "复核无误"}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_active"] is True
    event = AuditEvent.objects.get(action="reactivated", object_id=orders.hospital.pk)
    assert (event.actor, event.note) == (admin, "复核无误")
    assert token_client(orders.buyer).get("/api/v1/orders/").status_code == 200


@pytest.mark.django_db
def test_bad_deactivation_requests_change_nothing(orders, admin, agency):
    buyer_api = api_as(orders.buyer)
    assert (
        buyer_api.post(
            f"/api/v1/organizations/{orders.hospital.pk}/deactivate/", {"reason": "x"}, format="json"
        ).status_code
        == 403
    )
    admin_api = api_as(admin)
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "长" * 301}):
        response = admin_api.post(f"/api/v1/organizations/{orders.distributor.pk}/deactivate/", body, format="json")
        assert response.status_code == 400 and "reason" in response.content.decode(), body
    response = admin_api.post(f"/api/v1/organizations/{agency.pk}/deactivate/", {"reason": "试试"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "platform_agency"
    assert admin_api.post("/api/v1/organizations/999999/deactivate/", {"reason": "x"}, format="json").status_code == 404
    assert Organization.objects.filter(is_active=False).count() == 0
    assert not AuditEvent.objects.filter(action="deactivated").exists()
    with pytest.raises(ValidationFailed) as refused:
        account_svc.organization_update(organization=orders.distributor, by=admin, is_active=False)
    assert (refused.value.code, refused.value.field) == ("active_not_editable", "is_active")


@pytest.mark.django_db
def test_the_organisation_page_deactivates_and_reactivates_with_a_reason(orders, admin, agency):
    client = Client()
    client.force_login(admin)
    url = f"/accounts/organizations/{orders.distributor.pk}/"
    assert "停用机构" in client.get(url).content.decode()
    missing = client.post(f"{url}deactivate/", {"reason": ""})
    assert missing.status_code == 400 and "请填写原因" in missing.content.decode()
    own = client.post(f"/accounts/organizations/{agency.pk}/deactivate/", {"reason": "试试"})
    assert own.status_code == 409 and "不能停用" in own.content.decode()
    assert not Organization.objects.filter(is_active=False).exists()
    assert client.post(f"{url}deactivate/", {"reason": "停业"}).status_code == 302
    page = client.get(url).content.decode()
    assert "已停用" in page and "停业" in page and "恢复机构" in page
    buyer = Client()
    buyer.force_login(orders.buyer)
    assert buyer.post(f"{url}reactivate/", {"reason": "x"}).status_code == 403
    assert client.post(f"{url}reactivate/", {"reason": "恢复营业"}).status_code == 302
    assert Organization.objects.get(pk=orders.distributor.pk).is_active


@pytest.mark.django_db
def test_the_admin_deactivates_through_the_service_and_keeps_the_last_platform_admin(orders, admin, agency):
    superuser = User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(superuser)
    url = f"/admin/accounts/organization/{orders.distributor.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("is_active", "history")}
    data["region"] = orders.distributor.region_id
    no_reason = client.post(url, data)
    assert no_reason.status_code == 200 and "必须填写原因" in no_reason.content.decode()
    assert Organization.objects.get(pk=orders.distributor.pk).is_active
    assert client.post(url, {**data, "status_reason": "吊销许可证"}).status_code == 302
    assert not Organization.objects.get(pk=orders.distributor.pk).is_active
    assert AuditEvent.objects.get(action="deactivated").note == "吊销许可证"
    # the last platform administrator stays one
    with pytest.raises(ConflictError) as refused:
        account_svc.user_set_active(user=admin, active=False, by=superuser)
    assert refused.value.code == "last_platform_admin"
    user_url = f"/admin/accounts/user/{admin.pk}/change/"
    user_form = client.get(user_url).context["adminform"].form
    user_data = {k: v for k, v in user_form.initial.items() if v is not None and k not in ("is_active", "password")}
    user_data.update(
        roles=["platform_admin"],
        organization=agency.pk,
        last_login="",
        date_joined_0="2026-01-01",
        date_joined_1="00:00:00",
        groups=[],
        user_permissions=[],
    )
    user_data.pop("date_joined", None)
    response = client.post(user_url, user_data)
    assert response.status_code == 200 and "最后一位平台管理员" in response.content.decode()
    assert User.objects.get(pk=admin.pk).is_active


# --- what it leaves behind ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_deactivated_manufacturers_listings_are_suspended(orders, admin):
    deactivate(orders.manufacturer, admin, reason="严重失信")
    listings = Listing.objects.filter(manufacturer=orders.manufacturer)
    assert listings.count() == 2 and set(listings.values_list("status", flat=True)) == {"suspended"}
    assert all("严重失信" in reason for reason in listings.values_list("status_reason", flat=True))
    assert AuditEvent.objects.get(action="deactivated").data["listings_suspended"] == 2


@pytest.mark.django_db
def test_a_deactivated_manufacturers_bids_are_invalid_at_opening(tender_world, admin):
    to_bidding(tender_world)
    lot, reps, products = tender_world["lot"], tender_world["reps"], tender_world["products"]
    kept = tender_svc.bid_submit(lot=lot, product=products[1], price="0.5000", supply_capacity=1000, by=reps[1])
    gone = tender_svc.bid_submit(lot=lot, product=products[0], price="0.4000", supply_capacity=1000, by=reps[0])
    deactivate(tender_world["makers"][0], admin)
    assert Bid.objects.get(pk=gone.pk).status == "submitted"  # sealed until the opening, as every bid
    shift(tender_world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    tender_svc.tender_open_bids(tender=tender_world["tender"], by=tender_world["official"])
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.status == "invalid" and "生产企业已停用" in gone.invalid_reason
    assert kept.status == "valid"


@pytest.mark.django_db
def test_orders_to_a_deactivated_distributor_are_flagged_for_the_hospital(orders, admin):
    submitted = order_svc.order_create(
        by=orders.buyer, distributor=orders.distributor, lines=orders.lines(), submit=True
    )
    draft = order_svc.order_create(by=orders.buyer, distributor=orders.distributor, lines=orders.lines())
    deactivate(orders.distributor, admin, reason="停业")
    api = api_as(orders.buyer)
    data = api.get(f"/api/v1/orders/{submitted.pk}/").json()
    assert data["distributor_inactive"] is True and data["status"] == "submitted"
    flagged = api.get("/api/v1/orders/", {"flagged": "1"}).json()["results"]
    assert {o["id"] for o in flagged} == {submitted.pk, draft.pk}
    client = Client()
    client.force_login(orders.buyer)
    assert "配送企业已停用" in client.get(f"/orders/{submitted.pk}/").content.decode()
    assert "配送企业已停用" in client.get("/orders/").content.decode()
    note = Notification.objects.get(organization=orders.hospital, kind="order_redirect")
    assert "停业" in note.body and "?flagged=1" in note.link
    assert submitted.events.filter(action="distributor_deactivated").exists()
    # a draft to it cannot be submitted; the hospital redirects: cancels and orders elsewhere
    response = api.post(f"/api/v1/orders/{draft.pk}/submit/", {}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "distributor"
    assert PurchaseOrder.objects.get(pk=draft.pk).status == "draft"
    cancelled = api.post(f"/api/v1/orders/{submitted.pk}/cancel/", {"reason": "配送企业停用，改派"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["distributor_inactive"] is False


@pytest.mark.django_db
def test_the_fund_still_pays_a_deactivated_manufacturer(admin):
    world = settlement_world.build_world(prefix="D")
    period = settlement_world.month_start(1)
    settlement_world.receive(world, packs=4, on=period + timedelta(days=3))
    generate_statements(month=period)
    statement = SettlementStatement.objects.get(manufacturer=world.maker)
    # an active manufacturer claims for itself: the fund officer may not
    response = api_as(world.fund_officer).post(
        f"/api/v1/settlement/statements/{statement.pk}/claim/", {"invoice_numbers": ["12345678"]}, format="json"
    )
    assert response.status_code == 403
    deactivate(world.maker, admin)
    assert refused(
        token_client(world.maker_rep).post(
            f"/api/v1/settlement/statements/{statement.pk}/claim/", {"invoice_numbers": ["12345678"]}, format="json"
        )
    )
    response = api_as(world.fund_officer).post(
        f"/api/v1/settlement/statements/{statement.pk}/claim/", {"invoice_numbers": ["12345678"]}, format="json"
    )
    assert response.status_code == 200, response.content
    statement_review(statement=statement, by=world.hospital_user)
    statement_approve(statement=statement, by=world.fund_officer)
    statement.refresh_from_db()
    payment_record(statement=statement, amount=statement.approved_amount, reference="BANK-D1", by=world.fund_officer)
    statement.refresh_from_db()
    assert statement.status == "paid" and statement.claimed_by == world.fund_officer
