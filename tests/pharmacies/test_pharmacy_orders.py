"""A pharmacy (定点零售药店) orders online as a hospital does, by default only listed national negotiated drugs whose
agreement is in force; a refused line names its field and writes nothing; a pharmacy sees only its own orders; its
purchases stay out of direct settlement and the online purchase share."""

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.permissions import can
from common.errors import PermissionDeniedError, ValidationFailed
from procurement.errors import OrderError
from procurement.models import OrderEvent, PurchaseOrder, ReceiptLine
from procurement.online_share import online_share
from procurement.selectors.orders import listings_to_order, listings_visible_to
from procurement.services import orders as order_svc
from tests.factories import ManufacturerFactory, UserFactory
from tests.utils import api_as, client_as, error_field

from .world import build_pharmacy_world, order_through_receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_pharmacy_world()


def _order(w, listing, by=None, **extra):
    return order_svc.order_create(
        by=by or w.pharmacist,
        distributor=w.base.distributor,
        lines=[{"listing": listing.pk, "packs": 2}],
        **extra,
    )


def test_the_pharmacy_role_orders_and_receives_but_has_no_hospital_capabilities(w):
    user = w.pharmacist
    for capability in ("portal.pharmacy", "order.place", "order.receive", "order.view", "dual_channel.view"):
        assert can(user, capability), capability
    for capability in (
        "portal.purchaser",
        "tender.report_demand",
        "settlement.confirm",
        "contract.sign",
        "online_share.view",
        "progress.view_hospital",
        "negotiated.monitor",
        "dual_channel.manage",
    ):
        assert not can(user, capability), capability


def test_a_pharmacy_orders_a_negotiated_drug_through_receipt(w):
    order = order_through_receipt(w, w.pharmacist, w.negotiated)
    assert order.hospital == w.pharmacy and order.status == PurchaseOrder.Status.RECEIVED
    assert ReceiptLine.objects.filter(hospital=w.pharmacy, product=w.negotiated.product).count() == 1


def test_a_product_that_is_not_negotiated_is_refused_naming_the_line_and_nothing_is_written(w):
    with pytest.raises(ValidationFailed) as exc:
        _order(w, w.plain, submit=True)
    assert exc.value.code == OrderError.NOT_NEGOTIATED_DRUG and exc.value.field == "lines[0].listing"
    assert "谈判" in exc.value.message
    assert not PurchaseOrder.objects.exists() and not OrderEvent.objects.exists()


def test_a_negotiated_drug_whose_agreement_ended_is_refused(w):
    with pytest.raises(ValidationFailed) as exc:
        _order(w, w.expired)
    assert exc.value.code == OrderError.NOT_NEGOTIATED_DRUG
    assert not PurchaseOrder.objects.exists()


def test_the_api_answers_400_naming_the_field_and_writes_nothing(w):
    body = {
        "distributor": w.base.distributor.pk,
        "lines": [{"listing": w.negotiated.pk, "packs": 1}, {"listing": w.plain.pk, "packs": 1}],
        "submit": True,
    }
    response = api_as(w.pharmacist).post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "not_negotiated_drug" and error_field(response) == "lines[1].listing"
    assert not PurchaseOrder.objects.exists()


def test_the_cart_refuses_it_too(w):
    response = client_as(w.pharmacist).post(
        "/orders/cart/add/", {"listing": w.plain.pk, "distributor": w.base.distributor.pk, "packs": "1"}
    )
    assert response.status_code == 302
    assert not PurchaseOrder.objects.exists()
    client_as(w.pharmacist).post(
        "/orders/cart/add/", {"listing": w.negotiated.pk, "distributor": w.base.distributor.pk, "packs": "1"}
    )
    assert PurchaseOrder.objects.get().hospital == w.pharmacy


def test_a_hospital_still_orders_anything_listed(w):
    order = _order(w, w.plain, by=w.base.buyer, submit=True)
    assert order.status == PurchaseOrder.Status.SUBMITTED


@override_settings(PHARMACY_NEGOTIATED_ONLY=False)
def test_with_the_rule_off_a_pharmacy_orders_any_listed_product(w):
    assert _order(w, w.plain, submit=True).hospital == w.pharmacy


def test_submitting_a_draft_checks_the_rule_again(w):
    with override_settings(PHARMACY_NEGOTIATED_ONLY=False):
        draft = _order(w, w.plain)
    with pytest.raises(ValidationFailed) as exc:
        order_svc.order_submit(order=draft, by=w.pharmacist)
    assert exc.value.field == "lines[0].listing"
    draft.refresh_from_db()
    assert draft.status == PurchaseOrder.Status.DRAFT


def test_the_search_offers_a_pharmacy_only_what_it_may_order(w):
    offered = set(listings_to_order(w.pharmacist).values_list("pk", flat=True))
    assert offered == {w.negotiated.pk}
    assert w.plain.pk in set(listings_to_order(w.base.buyer).values_list("pk", flat=True))
    assert w.plain.pk in set(listings_visible_to(w.pharmacist).values_list("pk", flat=True))  # reading stays open
    page = client_as(w.pharmacist).get("/orders/search/")
    assert page.status_code == 200 and "司库奇尤单抗注射液" in page.content.decode()


def test_a_manufacturer_cannot_order_even_with_a_buyer_role_forced_on_it(w):
    rogue = UserFactory(username="p_rogue", organization=ManufacturerFactory(), roles=["purchaser"])
    with pytest.raises(PermissionDeniedError) as exc:
        _order(w, w.plain, by=rogue)
    assert exc.value.code == OrderError.NOT_A_BUYER


def test_a_pharmacy_sees_only_its_own_orders(w):
    mine = order_through_receipt(w, w.pharmacist, w.negotiated)
    hospitals = _order(w, w.plain, by=w.base.buyer, submit=True)
    theirs = _order(w, w.negotiated, by=w.other_pharmacist, submit=True)
    api = api_as(w.pharmacist)
    assert [o["id"] for o in api.get("/api/v1/orders/").json()["results"]] == [mine.pk]
    for other in (hospitals, theirs):
        assert api.get(f"/api/v1/orders/{other.pk}/").status_code == 404
        assert client_as(w.pharmacist).get(f"/orders/{other.pk}/").status_code == 404
    assert client_as(w.pharmacist).get(f"/orders/{mine.pk}/").status_code == 200
    draft = _order(w, w.negotiated)  # its own draft too
    assert api.get(f"/api/v1/orders/{draft.pk}/").status_code == 200


def test_the_pharmacy_portal_navigation(w):
    page = client_as(w.pharmacist).get("/").content.decode()
    assert "定点零售药店" in page and "/orders/search/" in page
    assert "/tenders/" not in page.split("定点零售药店", 1)[1].split("</nav>", 1)[0]


def test_a_pharmacys_purchases_are_not_in_the_online_purchase_share(w):
    order_through_receipt(w, w.pharmacist, w.negotiated)
    order_through_receipt(w, w.base.buyer, w.negotiated)
    today = timezone.localdate()
    names = {r.name for r in online_share(date_from=today, date_to=today)}
    assert w.base.hospital.name in names and w.pharmacy.name not in names
