"""Idempotency keys on order creation (common.idempotency): the same request replays, a different request with the
key is refused with 422 and changes nothing, a twin of a request still running gets 409."""

import threading

import pytest
from django.db import connection, transaction

from procurement.models import OrderEvent, PurchaseOrder, PurchaseOrderLine
from procurement.services import orders as svc
from tests.utils import api_as

from .ordering import build_world


@pytest.fixture
def w(db):
    return build_world()


def _post(client, body, key):
    return client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _rows():
    return (PurchaseOrder.objects.count(), PurchaseOrderLine.objects.count(), OrderEvent.objects.count())


def test_a_key_reused_with_another_body_is_refused_and_changes_nothing(w):
    client = api_as(w.buyer)
    draft = {"distributor": w.distributor.pk, "lines": [{"listing": w.listing.pk, "packs": 1}]}
    first = _post(client, draft, "HIS-7")
    assert first.status_code == 201, first.content
    before = _rows()
    bigger = {"distributor": w.distributor.pk, "lines": [{"listing": w.listing.pk, "packs": 999}], "submit": True}
    response = _post(client, bigger, "HIS-7")
    assert response.status_code == 422, response.content
    assert response.json() == {
        "code": "idempotency_key_reused",
        "field": "idempotency_key",
        "detail": response.json()["detail"],
    }
    assert "幂等键" in response.json()["detail"]
    assert _rows() == before
    order = PurchaseOrder.objects.get()
    assert (order.status, order.lines.get().packs) == ("draft", 1)
    # the key in the body is the same key
    assert client.post("/api/v1/orders/", {**bigger, "idempotency_key": "HIS-7"}, format="json").status_code == 422
    # the same request again still gets the first result
    again = _post(client, draft, "HIS-7")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])


def test_the_same_body_replays_whatever_the_key_order_and_defaults(w):
    client = api_as(w.buyer)
    body = {"distributor": w.distributor.pk, "lines": w.lines(), "submit": True}
    first = _post(client, body, "HIS-8")
    spelled_out = {
        "submit": True,
        "urgent": False,
        "remarks": "",
        "lines": w.lines(),
        "distributor": w.distributor.pk,
        "hospital": w.hospital.pk,
    }
    again = _post(client, spelled_out, "HIS-8")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert PurchaseOrder.objects.count() == 1


@pytest.mark.parametrize("change", ["remarks", "urgent", "distributor", "submit", "line order"])
def test_any_change_of_the_body_is_another_request(w, change):
    client = api_as(w.buyer)
    body = {"distributor": w.distributor.pk, "lines": w.lines(), "submit": False, "remarks": "", "urgent": False}
    assert _post(client, body, "HIS-9").status_code == 201
    changed = {
        **body,
        **{
            "remarks": {"remarks": "急"},
            "urgent": {"urgent": True},
            "distributor": {"distributor": w.other_distributor.pk},
            "submit": {"submit": True},
            "line order": {"lines": w.lines()[::-1]},
        }[change],
    }
    assert _post(client, changed, "HIS-9").status_code == 422
    assert PurchaseOrder.objects.count() == 1


def test_another_user_of_the_hospital_cannot_reuse_the_key(w):
    body = {"distributor": w.distributor.pk, "lines": w.lines()}
    assert _post(api_as(w.buyer), body, "HIS-10").status_code == 201
    response = _post(api_as(w.buyer2), body, "HIS-10")
    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    # another hospital has keys of its own
    assert _post(api_as(w.other_buyer), body, "HIS-10").status_code != 422
    assert PurchaseOrder.objects.filter(hospital=w.hospital).count() == 1


def test_the_service_refuses_a_reused_key_too(w):
    from common.idempotency import KeyReused

    first = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(), idempotency_key="k")
    assert svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(), idempotency_key="k").pk == first.pk
    with pytest.raises(KeyReused):
        svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(3, 3), idempotency_key="k")


def test_a_key_stored_before_fingerprints_replays(w):
    first = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(), idempotency_key="old")
    PurchaseOrder.objects.filter(pk=first.pk).update(idempotency_fingerprint="")
    again = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(1, 1), idempotency_key="old")
    assert again.pk == first.pk and again.replayed


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_twin_of_a_request_still_running_gets_409():
    w = build_world()
    body = {"distributor": w.distributor.pk, "lines": w.lines(), "submit": True}
    started, release, outcome = threading.Event(), threading.Event(), {}

    def first_request():  # the first request, held open before its commit
        try:
            with transaction.atomic():
                outcome["order"] = svc.order_create(
                    by=w.buyer, distributor=w.distributor, lines=w.lines(), submit=True, idempotency_key="HIS-11"
                ).pk
                started.set()
                release.wait(timeout=30)
        finally:
            started.set()
            connection.close()

    thread = threading.Thread(target=first_request)
    thread.start()
    try:
        assert started.wait(timeout=30)
        client = api_as(w.buyer)
        response = _post(client, body, "HIS-11")
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "idempotency_key_in_flight"
        assert response.json()["field"] == "idempotency_key"
        # a different body while the first runs is a twin too: it cannot be judged before the first commits
        assert _post(client, {**body, "urgent": True}, "HIS-11").status_code == 409
    finally:
        release.set()
        thread.join(timeout=30)
    assert PurchaseOrder.objects.count() == 1
    again = _post(client, body, "HIS-11")
    assert (again.status_code, again.json()["id"]) == (200, outcome["order"])
