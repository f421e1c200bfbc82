"""Return by code: a procurement return per order for the packs scanned (a case: its packs not yet returned), the
codes marked returned and the stock lower; bad scans (not received here, already returned, duplicates, a pack with
its case, a delivery never received, no reason) name the field and write nothing."""

import pytest
from django.test import Client

from common.errors import ValidationFailed
from procurement.models import GoodsReturn, GoodsReturnLine, PurchaseOrderLine
from tests.procurement.ordering import build_world
from tests.utils import api_as
from traceability.errors import TraceError
from traceability.models import DeliveryCode
from traceability.selectors import hospital_stock
from traceability.services.receiving import codes_receive
from traceability.services.recording import codes_record
from traceability.services.returning import codes_return

from .world import code, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def _received(w, confirm=True, first=0):
    """A delivery of 3 + 1 packs (a case of 3 pack codes, one pack code) received by scan."""
    delivery, (l1, l2) = shipped(w, packs=3, packs2=1)
    case = code(900 + first, "8100009")
    rows = [{"code": case}] + [{"code": code(first + i), "parent": case} for i in range(3)]
    codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=rows, delivery_line_id=l1.pk)
    codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=[{"code": code(first + 50)}], delivery_line_id=l2.pk)
    codes_receive(delivery_id=delivery.pk, by=w.buyer, codes=[case, code(first + 50)], confirm=confirm)
    return delivery, l1, l2, case


def _state():
    return (
        GoodsReturn.objects.count(),
        DeliveryCode.objects.filter(returned_at__isnull=False).count(),
        sum(PurchaseOrderLine.objects.values_list("packs_returned", flat=True)),
    )


def test_a_return_by_code_is_the_procurement_return_and_lowers_the_stock(w):
    delivery, l1, l2, _case = _received(w)
    result = codes_return(by=w.buyer, codes=[code(0), code(50)], reason="包装破损")
    goods_return = GoodsReturn.objects.get()
    assert result["packs"] == 2 and [r["number"] for r in result["returns"]] == [goods_return.number]
    assert result["returns"][0]["packs"] == 2 and result["returns"][0]["amount"] == goods_return.amount > 0
    lines = dict(GoodsReturnLine.objects.values_list("receipt_line__delivery_line_id", "packs"))
    assert lines == {l1.pk: 1, l2.pk: 1}
    returned = DeliveryCode.objects.filter(returned_at__isnull=False)
    assert sorted(returned.values_list("trace_code__code", flat=True)) == [code(0), code(50)]
    assert set(returned.values_list("goods_return_id", flat=True)) == {goods_return.pk}
    stock = {r["product"]: (r["received"], r["returned"], r["stock"]) for r in hospital_stock(w.hospital.pk)}
    assert stock == {l1.order_line.product_id: (3, 1, 2), l2.order_line.product_id: (1, 1, 0)}


def test_a_scanned_case_returns_its_packs_not_yet_returned(w):
    _delivery, l1, _l2, case = _received(w)
    codes_return(by=w.buyer, codes=[code(0)], reason="破损")
    result = codes_return(by=w.buyer, codes=[case], reason="整箱退回")
    assert result["packs"] == 2
    assert DeliveryCode.objects.filter(delivery_line=l1, returned_at__isnull=True).count() == 0
    assert sum(GoodsReturnLine.objects.filter(receipt_line__delivery_line=l1).values_list("packs", flat=True)) == 3


@pytest.mark.parametrize(
    ("codes", "reason", "error", "field"),
    [
        (["8100001000000000001"], "x", TraceError.CODE_WRONG_LENGTH, "codes[0]"),
        ([code(0), code(0)], "x", TraceError.DUPLICATE_IN_SCAN, "codes[1]"),
        ([code(900, "8100009"), code(1)], "x", TraceError.DUPLICATE_IN_SCAN, "codes[1]"),
        ([code(0), code(77)], "x", TraceError.NOT_RECEIVED_HERE, "codes[1]"),
        ([code(1)], "", TraceError.RETURN_REASON_REQUIRED, "reason"),
        ([], "x", TraceError.NO_CODES, "codes"),
    ],
)
def test_bad_returns_name_the_field_and_write_nothing(w, codes, reason, error, field):
    _received(w)
    before = _state()
    with pytest.raises(ValidationFailed) as exc:
        codes_return(by=w.buyer, codes=codes, reason=reason)
    assert exc.value.code == error and exc.value.field == field
    assert _state() == before


def test_a_code_already_returned_is_refused(w):
    _received(w)
    codes_return(by=w.buyer, codes=[code(0)], reason="破损")
    before = _state()
    with pytest.raises(ValidationFailed) as exc:
        codes_return(by=w.buyer, codes=[code(1), code(0)], reason="破损")
    assert exc.value.code == TraceError.ALREADY_RETURNED and exc.value.field == "codes[1]"
    assert _state() == before


def test_codes_of_another_hospital_or_never_received_are_not_returned(w):
    _received(w)
    delivery, (m1, _m2) = shipped(w, packs=1, packs2=1)
    codes_record(delivery_id=delivery.pk, by=w.dist_rep, rows=[{"code": code(300)}], delivery_line_id=m1.pk)
    before = _state()
    for by, codes in ((w.other_buyer, [code(0)]), (w.buyer, [code(300)])):  # another hospital's; not received
        with pytest.raises(ValidationFailed) as exc:
            codes_return(by=by, codes=codes, reason="破损")
        assert exc.value.code == TraceError.NOT_RECEIVED_HERE and exc.value.field == "codes[0]"
    assert _state() == before


def test_codes_received_without_a_receipt_cannot_be_returned(w):
    _received(w, confirm=False)
    with pytest.raises(ValidationFailed) as exc:
        codes_return(by=w.buyer, codes=[code(0)], reason="破损")
    assert exc.value.code == TraceError.DELIVERY_NOT_RECEIPTED and exc.value.field == "codes[0]"
    assert _state() == (0, 0, 0)


def test_api_and_page_return_by_code(w):
    _delivery, l1, _l2, case = _received(w)
    client = api_as(w.buyer)
    r = client.post("/api/v1/traceability/returns/", {"codes": [code(0), code(0)], "reason": "x"}, format="json")
    assert (
        r.status_code == 400 and r.json()["code"] == "trace_code_duplicate_in_scan" and r.json()["field"] == "codes[1]"
    )
    r = client.post("/api/v1/traceability/returns/", {"text": f"{code(0)}\n", "reason": "破损"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["packs"] == 1 and r.json()["returns"][0]["number"] == GoodsReturn.objects.get().number
    page = Client()
    page.force_login(w.buyer)
    r = page.post("/traceability/returns/", {"codes": code(0), "reason": "破损"})
    assert r.status_code == 400 and 'data-field="codes[0]"' in r.content.decode()
    r = page.post("/traceability/returns/", {"codes": case, "reason": "整箱退回"})
    assert r.status_code == 200 and GoodsReturn.objects.count() == 2
    assert GoodsReturn.objects.order_by("pk").last().number in page.get("/traceability/returns/").content.decode()
    r = page.get("/traceability/stock/")
    assert r.status_code == 200
    stock = {x["product"]: x["stock"] for x in hospital_stock(w.hospital.pk)}
    assert stock[l1.order_line.product_id] == 0
