"""Journeys through a client generated from the live schema, against a live server, as a hospital's HIS and a
manufacturer's ERP would run them: tokens from the token endpoints, then the operations by their operationIds.

The client parses every answer with the schema's models: an answer the schema does not describe fails here."""

from datetime import timedelta

import pytest
from django.utils import timezone

from procurement.models import Bid, PurchaseOrder, Receipt
from tests.api_contract.conftest import PASSWORD
from tests.fixtures.tenders import to_bidding
from tests.procurement.ordering import build_world

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_hospital_orders_distributor_accepts_and_ships_hospital_receives(generated_api):
    api, m = generated_api, generated_api.models
    w = build_world()
    his = api.signed_in(api.integration_token(w.buyer.username, PASSWORD, "订单测试医院 HIS"))
    erp = api.signed_in(api.integration_token(w.dist_rep.username, PASSWORD, "配送企业 ERP"))

    # the HIS places an order, submitted at once, with its own reference as the idempotency key
    body = m.OrderCreateRequest(
        distributor=w.distributor.pk,
        lines=[{"listing": w.listing.pk, "packs": 10}, {"listing": w.listing2.pk, "packs": 5}],
        submit=True,
    )
    created = api.orders.orders_create.sync_detailed(client=his, body=body, idempotency_key="HIS-20261207-0001")
    assert created.status_code == 201, created.content
    order = created.parsed
    assert isinstance(order, m.OrderWithLines)
    assert (order.status, order.total_amount, len(order.lines)) == (m.PurchaseOrderStatusEnum.SUBMITTED, "183.45", 2)
    # a retry after a lost answer: the same order, nothing written again
    again = api.orders.orders_create.sync_detailed(client=his, body=body, idempotency_key="HIS-20261207-0001")
    assert again.status_code == 200 and again.parsed.id == order.id
    # the same key with another body is refused with the error body
    other = m.OrderCreateRequest(distributor=w.distributor.pk, lines=[{"listing": w.listing.pk, "packs": 1}])
    reused = api.orders.orders_create.sync_detailed(client=his, body=other, idempotency_key="HIS-20261207-0001")
    assert reused.status_code == 422 and isinstance(reused.parsed, m.Error)
    assert (reused.parsed.code, reused.parsed.field) == ("idempotency_key_reused", "idempotency_key")
    assert PurchaseOrder.objects.count() == 1

    read = api.orders.orders_retrieve.sync(order.id, client=his)
    assert isinstance(read, m.OrderDetail) and read.status == m.PurchaseOrderStatusEnum.SUBMITTED

    # the distributor accepts the version it read; a step on a stale copy is refused with the documented error body
    seen = api.orders.orders_retrieve.sync(order.id, client=erp)
    accepted = api.orders.orders_accept_create.sync_detailed(
        order.id, client=erp, body=m.ReasonRequest(reason="已备货"), if_match=f'"{seen.version}"'
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.parsed.status == m.PurchaseOrderStatusEnum.ACCEPTED
    stale = api.orders.orders_reject_create.sync_detailed(
        order.id, client=erp, body=m.ReasonRequest(reason="缺货"), if_match=f'"{seen.version}"'
    )
    assert stale.status_code == 409 and isinstance(stale.parsed, m.Error)
    assert stale.parsed.code == "stale" and stale.parsed.detail

    # it ships every line
    expiry = (timezone.localdate() + timedelta(days=500)).isoformat()
    shipped = api.deliveries.deliveries_create.sync_detailed(
        client=erp,
        body=m.DeliveryCreateRequest(
            order=order.id,
            invoice_number="INV-20261207-01",
            lines=[
                {"order_line": line.id, "packs": line.packs, "batch_number": "B2026120", "expiry_date": expiry}
                for line in read.lines
            ],
        ),
    )
    assert shipped.status_code == 201, shipped.content
    delivery = shipped.parsed
    assert isinstance(delivery, m.Delivery)
    assert api.orders.orders_retrieve.sync(order.id, client=his).status == m.PurchaseOrderStatusEnum.SHIPPED

    # the hospital finds the delivery awaiting receipt and records the receipt of all of it
    waiting = api.deliveries.deliveries_list.sync(client=his, received=False)
    assert [d.id for d in waiting.results] == [delivery.id] and waiting.count == 1
    received = api.receipts.receipts_create.sync_detailed(client=his, body=m.ReceiptCreateRequest(delivery=delivery.id))
    assert received.status_code == 201, received.content
    assert isinstance(received.parsed, m.Receipt) and received.parsed.accepted_amount == "183.45"
    final = api.orders.orders_retrieve.sync(order.id, client=his)
    assert final.status == m.PurchaseOrderStatusEnum.RECEIVED
    assert [e.action for e in final.events][-1] == "receipt"
    assert Receipt.objects.filter(delivery_id=delivery.id).count() == 1


def test_manufacturer_reads_an_open_tender_bids_and_withdraws(generated_api, world):
    tender_world = world
    api, m = generated_api, generated_api.models
    to_bidding(tender_world)
    rep, product, lot = tender_world["reps"][0], tender_world["products"][0], tender_world["lot"]
    erp = api.signed_in(api.integration_token(rep.username, PASSWORD, "生产企业 ERP"))

    tenders = api.tenders.tenders_list.sync(client=erp, status=m.TendersListStatus.BIDDING)
    assert [t.code for t in tenders.results] == ["NMG-T-01"]
    tender = api.tenders.tenders_retrieve.sync(tenders.results[0].id, client=erp)
    assert [x.id for x in tender.lots] == [lot.pk]

    submitted = api.bids.bids_create.sync_detailed(
        client=erp,
        body=m.BidSubmitRequest(lot=lot.pk, product=product.pk, price="0.4321", supply_capacity=100000),
    )
    assert submitted.status_code == 201, submitted.content
    bid = submitted.parsed
    assert isinstance(bid, m.SubmittedBid) and bid.status == m.BidStatusEnum.SUBMITTED
    assert bid.price is None and len(bid.seal_hash) == 64  # sealed until the opening
    # the receipt to keep: price and nonce, and the digest they recompute to
    assert bid.receipt.price == "0.4321" and len(bid.receipt.nonce) == 32 and bid.receipt.digest == bid.seal_hash
    # a second bid on the lot is a conflict, answered with the error body
    twice = api.bids.bids_create.sync_detailed(
        client=erp, body=m.BidSubmitRequest(lot=lot.pk, product=product.pk, price="0.5", supply_capacity=1000)
    )
    assert twice.status_code == 409 and isinstance(twice.parsed, m.Error) and twice.parsed.code

    withdrawn = api.bids.bids_withdraw_create.sync_detailed(bid.id, client=erp)
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.parsed.status == m.BidStatusEnum.WITHDRAWN
    assert Bid.objects.get(pk=bid.id).status == "withdrawn"


def test_refusals_come_back_as_the_error_body(generated_api):
    api, m = generated_api, generated_api.models
    w = build_world()
    unknown = api.orders.orders_list.sync_detailed(client=api.signed_in("not-a-token"))
    assert unknown.status_code == 401 and isinstance(unknown.parsed, m.Error)
    assert unknown.parsed.code == "authentication_failed" and unknown.parsed.field is None

    his = api.signed_in(api.integration_token(w.buyer.username, PASSWORD, "订单测试医院 HIS"))
    # an integration token cannot make its own successor
    minted = api.auth.auth_tokens_create.sync_detailed(client=his, body=m.ApiTokenCreateRequest(name="续期"))
    assert minted.status_code == 403 and minted.parsed.code == "integration_token"

    # a serializer's errors: the first on top, all of them under `errors`, each naming its field
    invalid = api.orders.orders_create.sync_detailed(
        client=his, body=m.OrderCreateRequest(distributor="十二", lines=[], urgent="maybe")
    )
    assert invalid.status_code == 400 and isinstance(invalid.parsed, m.Error), invalid.content
    errors = invalid.parsed.errors
    assert {e.field for e in errors} == {"distributor", "urgent"} and all(e.code and e.detail for e in errors)
    assert (invalid.parsed.code, invalid.parsed.field) == (errors[0].code, errors[0].field)

    # another organisation's order is not found
    order = api.orders.orders_create.sync(
        client=his,
        body=m.OrderCreateRequest(distributor=w.distributor.pk, lines=[{"listing": w.listing.pk, "packs": 1}]),
    )
    other = api.signed_in(api.integration_token(w.other_buyer.username, PASSWORD, "另一医院 HIS"))
    missing = api.orders.orders_retrieve.sync_detailed(order.id, client=other)
    assert missing.status_code == 404 and isinstance(missing.parsed, m.Error)
    assert missing.parsed.code == "not_found" and missing.parsed.field is None
