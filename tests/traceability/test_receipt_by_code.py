"""Receipt by code is the 入库验收: a complete scan creates procurement's receipt for the packs scanned (shortfalls
per line, with a reason), refuses a delivery already received, and refuses codes of another order — nothing written."""

import pytest
from django.test import Client

from common.errors import ConflictError, ValidationFailed
from procurement.models import PurchaseOrder, Receipt, ReceiptLine
from procurement.services.receipts import receipt_create
from tests.procurement.ordering import build_world
from tests.utils import api_as
from traceability.errors import TraceError
from traceability.models import DeliveryCode, TraceFlag
from traceability.services.receiving import codes_receive
from traceability.services.recording import codes_record

from .world import code, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def _coded(w, packs=3, packs2=1, second_codes=None, first=0):
    """A shipped delivery: a case of `packs` pack codes on line 1, `second_codes` pack codes on line 2."""
    delivery, (l1, l2) = shipped(w, packs=packs, packs2=packs2)
    case = code(900 + first, "8100009")
    rows = [{"code": case}] + [{"code": code(first + i), "parent": case} for i in range(packs)]
    codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=rows, delivery_line_id=l1.pk)
    seconds = [code(first + 50 + i) for i in range(packs2 if second_codes is None else second_codes)]
    if seconds:
        codes_record(
            delivery_id=delivery.pk, by=w.dist_rep, rows=[{"code": c} for c in seconds], delivery_line_id=l2.pk
        )
    return delivery, l1, l2, case, seconds


def _written():
    return (
        Receipt.objects.count(),
        DeliveryCode.objects.filter(received_at__isnull=False).count(),
        TraceFlag.objects.count(),
    )


def test_a_complete_scan_creates_the_receipt_of_the_packs_scanned(w):
    delivery, l1, l2, case, seconds = _coded(w)
    result = codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case, *seconds])
    receipt = Receipt.objects.get(delivery=delivery)
    assert result["receipt"] == receipt.pk and result["shortfalls"] == [] and result["received"] == 5
    assert result["accepted_amount"] == receipt.accepted_amount > 0
    lines = {rl.delivery_line_id: (rl.accepted_packs, rl.rejected_packs) for rl in receipt.lines.all()}
    assert lines == {l1.pk: (3, 0), l2.pk: (1, 0)}
    delivery.refresh_from_db()
    assert delivery.received
    assert PurchaseOrder.objects.get(pk=delivery.order_id).status == PurchaseOrder.Status.RECEIVED


def test_a_shortfall_needs_a_reason_then_is_reported_per_line(w):
    delivery, l1, l2, case, seconds = _coded(w, packs=3, packs2=2)
    # line 2 carries 2 pack codes; the hospital scans one of them
    with pytest.raises(ValidationFailed) as exc:
        codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case, seconds[0]])
    assert exc.value.code == TraceError.SHORTFALL_REASON_REQUIRED and exc.value.field == "reason"
    assert str(l2.pk) in exc.value.message
    assert _written() == (0, 0, 0)
    result = codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case, seconds[0]], reason="一盒未到")
    assert result["shortfalls"] == [{"delivery_line": l2.pk, "packs": 2, "accepted": 1, "short": 1}]
    short = ReceiptLine.objects.get(delivery_line=l2)
    assert (short.accepted_packs, short.rejected_packs, short.reject_reason) == (1, 0, "一盒未到")


def test_partial_scans_record_codes_and_the_final_scan_receives(w):
    delivery, l1, l2, case, seconds = _coded(w)
    first = codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case], complete=False)
    assert first["receipt"] is None and not Receipt.objects.exists()
    final = codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=seconds)
    lines = {rl.delivery_line_id: rl.accepted_packs for rl in Receipt.objects.get(pk=final["receipt"]).lines.all()}
    assert lines == {l1.pk: 3, l2.pk: 1}


def test_a_delivery_already_received_is_refused_unless_only_codes_are_recorded(w):
    delivery, l1, _l2, case, seconds = _coded(w)
    receipt_create(delivery=delivery, by=w.buyer)
    with pytest.raises(ConflictError) as exc:
        codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case])
    assert exc.value.code == TraceError.DELIVERY_RECEIVED and exc.value.field == "delivery"
    assert not DeliveryCode.objects.filter(received_at__isnull=False).exists()
    result = codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case, *seconds], confirm=False)
    assert result["received"] == 5 and result["receipt"] is None and Receipt.objects.count() == 1


def test_a_second_receipt_by_code_is_refused(w):
    delivery, _l1, _l2, case, seconds = _coded(w)
    codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case, *seconds])
    with pytest.raises(ConflictError) as exc:
        codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case, *seconds])
    assert exc.value.code == TraceError.DELIVERY_RECEIVED
    assert Receipt.objects.count() == 1


def test_a_code_of_another_order_refuses_the_scan(w):
    delivery, _l1, _l2, case, _s = _coded(w)
    _other, _m1, _m2, other_case, _o = _coded(w, first=200)
    with pytest.raises(ValidationFailed) as exc:
        codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case, code(201)])
    assert exc.value.code == TraceError.CODE_OF_OTHER_DELIVERY and exc.value.field == "codes[1]"
    assert _written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        ("8100001000000000001", TraceError.CODE_WRONG_LENGTH),
        ("(01)06901234567893(21)A1", TraceError.GTIN_CHECK_DIGIT),
    ],
)
def test_a_code_of_the_wrong_length_or_check_refuses_the_scan(w, bad, error):
    delivery, _l1, _l2, case, seconds = _coded(w)
    with pytest.raises(ValidationFailed) as exc:
        codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case, *seconds, bad])
    assert exc.value.code == error and exc.value.field == "codes[2]"
    assert _written() == (0, 0, 0)


def test_api_receipt_by_code_answers_the_receipt_then_409(w):
    delivery, l1, l2, case, seconds = _coded(w, packs=3, packs2=2)
    url = f"/api/v1/traceability/deliveries/{delivery.pk}/receive/"
    client = api_as(w.buyer)
    r = client.post(url, {"codes": [case, seconds[0]]}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "trace_shortfall_reason_required"
    assert r.json()["field"] == "reason" and _written() == (0, 0, 0)
    r = client.post(url, {"text": f"{case}\n{seconds[0]}\n", "reason": "短少一盒"}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["receipt"] == Receipt.objects.get().pk and body["shortfalls"][0]["delivery_line"] == l2.pk
    r = client.post(url, {"codes": [case]}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "delivery_already_received" and r.json()["field"] == "delivery"


def test_page_receipt_by_code(w):
    delivery, _l1, _l2, case, seconds = _coded(w)
    buyer = Client()
    buyer.force_login(w.buyer)
    url = f"/traceability/deliveries/{delivery.pk}/"
    assert 'name="confirm"' in buyer.get(url).content.decode()
    r = buyer.post(url, {"action": "receive", "codes": f"{case}\n{seconds[0]}", "complete": "1", "confirm": "1"})
    assert r.status_code == 200 and Receipt.objects.filter(delivery=delivery).exists()
    r = buyer.post(url, {"action": "receive", "codes": case, "complete": "1", "confirm": "1"})
    assert r.status_code == 400 and 'data-field="delivery"' in r.content.decode()
