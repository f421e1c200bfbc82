"""Each role's workbench: its to-dos with counts of its own rows and links to the pages where the work is done,
counted with a few queries whatever the number of rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from procurement.models import PurchaseOrder
from procurement.services import tenders as tender_svc
from tests.factories import (
    AgencyFactory,
    DeliveryFactory,
    DistributorFactory,
    HospitalFactory,
    PurchaseOrderFactory,
    UserFactory,
)
from workbench import todos

pytestmark = pytest.mark.django_db
S = PurchaseOrder.Status


def _orders(hospital, distributor, n: int):
    """n shipped orders with a delivery each not yet received, and n submitted orders already late for an answer."""
    late = timezone.now() - timedelta(hours=2)
    for _ in range(n):
        DeliveryFactory(order=PurchaseOrderFactory(hospital=hospital, distributor=distributor, status=S.SHIPPED))
        PurchaseOrderFactory(hospital=hospital, distributor=distributor, status=S.SUBMITTED, response_due_at=late)


def _counts(items) -> dict[str, int]:
    return {t.key: t.count for t in items}


def test_hospital_counts_its_own_deliveries_to_receive():
    hospital, other = HospitalFactory(), HospitalFactory()
    distributor = DistributorFactory()
    _orders(hospital, distributor, 2)
    _orders(other, distributor, 3)
    PurchaseOrderFactory(hospital=hospital, distributor=distributor)  # a draft in the cart
    buyer = UserFactory(organization=hospital, roles=["purchaser"])
    counts = _counts(todos.hospital_todos(buyer))
    assert counts["deliveries_to_receive"] == 2
    assert counts["cart_drafts"] == 1
    assert counts["statements_to_confirm"] == 0
    links = {t.key: t.url for t in todos.hospital_todos(buyer)}
    assert links["deliveries_to_receive"] == "/orders/deliveries/?received=0"
    assert links["statements_to_confirm"] == "/settlement/?status=claimed"


def test_distributor_counts_orders_to_answer_late_and_to_ship():
    distributor, other = DistributorFactory(), DistributorFactory()
    hospital = HospitalFactory()
    _orders(hospital, distributor, 2)
    _orders(hospital, other, 4)
    PurchaseOrderFactory(hospital=hospital, distributor=distributor, status=S.ACCEPTED)
    rep = UserFactory(organization=distributor, roles=["distributor_rep"])
    counts = _counts(todos.distributor_todos(rep))
    assert counts == {**counts, "orders_to_answer": 2, "orders_answer_late": 2, "orders_to_ship": 1}
    links = {t.key: t.url for t in todos.distributor_todos(rep)}
    assert links["orders_to_answer"] == "/orders/incoming/?status=submitted"


@pytest.mark.parametrize(
    ("role", "panel", "keys"),
    [
        ("pricing_official", "official", {"applications_to_review", "alerts_mine", "alerts_unassigned"}),
        ("fund_officer", "fund", {"statements_to_approve", "statements_to_pay", "payments_overdue"}),
        ("supervisor", "supervisor", {"appeals_to_decide"}),
    ],
)
def test_agency_roles_have_their_own_todos(client, role, panel, keys):
    user = UserFactory(organization=AgencyFactory(), roles=[role])
    panels = todos.role_todos(user)
    assert [p["key"] for p in panels] == [panel]
    assert keys <= {t.key for t in panels[0]["todos"]}
    client.force_login(user)
    page = client.get("/").content.decode()
    assert f'data-workbench="{panel}"' in page
    for t in panels[0]["todos"]:
        assert f'href="{t.url.replace("&", "&amp;")}"' in page
        assert client.get(t.url).status_code == 200, t.url


def test_every_todo_link_opens_for_hospital_and_distributor(client):
    hospital, distributor = HospitalFactory(), DistributorFactory()
    _orders(hospital, distributor, 1)
    for user in (
        UserFactory(organization=hospital, roles=["purchaser"]),
        UserFactory(organization=distributor, roles=["distributor_rep"]),
    ):
        client.force_login(user)
        page = client.get("/").content.decode()
        (panel,) = todos.role_todos(user)
        assert f'data-workbench="{panel["key"]}"' in page
        for t in panel["todos"]:
            assert client.get(t.url).status_code == 200, t.url


def _home(client, user):
    client.force_login(user)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("n", [1, 6])
def test_hospital_workbench_queries_do_not_grow_with_rows(client, django_assert_max_num_queries, n):
    hospital, distributor = HospitalFactory(), DistributorFactory()
    _orders(hospital, distributor, n)
    buyer = UserFactory(organization=hospital, roles=["purchaser"])
    _home(client, buyer)  # warm the caches (roles, navigation)
    with django_assert_max_num_queries(8):
        todos.hospital_todos(buyer)
    with django_assert_max_num_queries(30):
        client.get("/")


@pytest.mark.parametrize("n", [1, 6])
def test_distributor_and_agency_todos_are_a_few_queries(django_assert_max_num_queries, n):
    hospital, distributor = HospitalFactory(), DistributorFactory()
    _orders(hospital, distributor, n)
    rep = UserFactory(organization=distributor, roles=["distributor_rep"])
    with django_assert_max_num_queries(6):
        todos.distributor_todos(rep)
    for role, func, most in (
        ("pricing_official", todos.official_todos, 6),
        ("fund_officer", todos.fund_todos, 2),
        ("supervisor", todos.supervisor_todos, 2),
    ):
        user = UserFactory(organization=AgencyFactory(), roles=[role])
        user.organization  # noqa: B018 - loaded as the request's user would be
        with django_assert_max_num_queries(most):
            func(user)


def test_hospital_counts_tenders_collecting_demand_it_has_not_reported(world):
    buyer = world["buyers"][0]
    assert _counts(todos.hospital_todos(buyer))["demand_to_report"] == 0  # a draft tender is not announced
    tender_svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    assert _counts(todos.hospital_todos(buyer))["demand_to_report"] == 1
    tender_svc.demand_report(lot=world["lot"], by=buyer, annual_volume="1200")
    assert _counts(todos.hospital_todos(buyer))["demand_to_report"] == 0
