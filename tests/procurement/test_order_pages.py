"""Ordering pages: a purchaser's search → cart → order → receipt → return journey, the distributor's side,
the export, the online share and the off-platform upload; another organisation's order is not found."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from procurement.models import GoodsReturn, OffPlatformPurchase, PurchaseOrder

from .ordering import build_world

pytestmark = pytest.mark.django_db
S = PurchaseOrder.Status


@pytest.fixture
def w():
    return build_world()


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_purchaser_and_distributor_journey(w):
    buyer, dist = _client(w.buyer), _client(w.dist_rep)
    page = buyer.get("/orders/search/?q=阿托伐他汀")
    assert page.status_code == 200 and "阿托伐他汀钙片" in page.content.decode()
    assert w.distributor.name in page.content.decode()
    response = buyer.post("/orders/cart/add/", {"listing": w.listing.pk, "distributor": w.distributor.pk, "packs": "4"})
    assert response.status_code == 302
    order = PurchaseOrder.objects.get()
    assert buyer.get("/orders/cart/").status_code == 200
    line = order.lines.get()
    buyer.post(
        "/orders/cart/",
        {"order": order.pk, "version": order.version, f"packs-{line.pk}": "6", "urgent": "1", "action": "submit"},
    )
    order.refresh_from_db()
    assert order.status == S.SUBMITTED and order.urgent and order.lines.get().packs == 6
    line = order.lines.get()  # a saved draft's lines are rewritten
    assert "订单" in _client(w.dist_rep).get("/orders/incoming/").content.decode()
    dist.post(f"/orders/{order.pk}/", {"action": "accept", "version": order.version})
    order.refresh_from_db()
    assert order.status == S.ACCEPTED
    expiry = (timezone.localdate() + timedelta(days=400)).isoformat()
    response = dist.post(
        f"/orders/{order.pk}/",
        {
            "action": "ship",
            "version": order.version,
            "invoice_number": "",
            f"ship-{line.pk}-packs": "6",
            f"ship-{line.pk}-batch": "B1",
            f"ship-{line.pk}-expiry": expiry,
        },
        follow=True,
    )
    assert "请填写发票号" in response.content.decode()
    dist.post(
        f"/orders/{order.pk}/",
        {
            "action": "ship",
            "version": order.version,
            "invoice_number": "INV9",
            f"ship-{line.pk}-packs": "6",
            f"ship-{line.pk}-batch": "B1",
            f"ship-{line.pk}-expiry": expiry,
        },
    )
    order.refresh_from_db()
    assert order.status == S.SHIPPED
    delivery = order.deliveries.get()
    dl = delivery.lines.get()
    response = buyer.post(
        f"/orders/{order.pk}/",
        {
            "action": "receive",
            "mode": "lines",
            "delivery": delivery.pk,
            "version": order.version,
            f"recv-{dl.pk}-accepted": "7",
        },
        follow=True,
    )
    assert "超过配送数量" in response.content.decode()
    buyer.post(
        f"/orders/{order.pk}/", {"action": "receive", "mode": "all", "delivery": delivery.pk, "version": order.version}
    )
    order.refresh_from_db()
    assert order.status == S.RECEIVED
    detail = buyer.get(f"/orders/{order.pk}/").content.decode()
    assert "退货" in detail and "INV9" in detail
    rl = order.receipts.get().lines.get()
    buyer.post(
        f"/orders/{order.pk}/",
        {"action": "return", "reason": "破损", "version": order.version, f"ret-{rl.pk}-packs": "2"},
    )
    assert GoodsReturn.objects.get().lines.get().packs == 2
    export = buyer.get("/orders/export/?status=received")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "订单编号" and rows[1][0] == order.number and rows[1][12] == 6
    assert _client(w.other_buyer).get(f"/orders/{order.pk}/").status_code == 404
    assert _client(w.other_dist_rep).get(f"/orders/{order.pk}/").status_code == 404
    assert _client(w.other_dist_rep).post(f"/orders/{order.pk}/", {"action": "cancel"}).status_code == 404


def test_list_filters_and_bad_date(w):
    buyer = _client(w.buyer)
    from procurement.services import orders as svc

    svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(), submit=True)
    assert "PO" in buyer.get("/orders/?status=submitted").content.decode()
    assert "没有订单" in buyer.get("/orders/?status=closed").content.decode()
    assert "格式应为" in buyer.get("/orders/?date_from=2026-99-01", follow=True).content.decode()
    assert _client(w.dist_rep).get("/orders/search/").status_code == 403


def test_share_and_offplatform_pages(w):
    buyer = _client(w.buyer)
    assert buyer.get("/orders/online-share/").status_code == 200
    upload = SimpleUploadedFile(
        "o.csv", f"医保代码,月份,数量,金额\n{w.listing.product.nhsa_code},2026-05,10,20\n".encode()
    )
    page = buyer.post("/orders/offplatform/", {"file": upload}, follow=True)
    assert page.status_code == 200 and OffPlatformPurchase.objects.count() == 1
    bad = SimpleUploadedFile("o.csv", "医保代码,月份,数量,金额\nNOPE,2026-05,10,20\n".encode())
    page = buyer.post("/orders/offplatform/", {"file": bad}).content.decode()
    assert "不在目录中" in page and OffPlatformPurchase.objects.count() == 1


def test_the_distributor_accepts_with_a_shortage_and_filters_its_work_list(w):
    from procurement.services import orders as svc

    order = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(packs=10, packs2=5), submit=True)
    first, second = order.lines.order_by("line_no")
    dist = _client(w.dist_rep)
    work = dist.get("/orders/incoming/").content.decode()
    assert order.number in work and "响应期限" in work and 'name="status"' in work
    assert order.number not in dist.get("/orders/incoming/?status=accepted").content.decode()
    url = f"/orders/{order.pk}/"
    page = dist.get(url).content.decode()
    assert f'name="short-{second.pk}-on"' in page
    dist.post(url, {"action": "accept", "version": order.version, f"short-{second.pk}-on": "1"})  # no reason
    order.refresh_from_db()
    assert order.status == S.SUBMITTED
    page = dist.get(url).content.decode()
    assert "请填写第 2 行的缺货原因" in page and "checked" in page.split(f'name="short-{second.pk}-on"')[1][:40]
    dist.post(
        url,
        {
            "action": "accept",
            "version": order.version,
            f"short-{second.pk}-on": "1",
            f"short-{second.pk}-reason": "断货",
        },
    )
    order.refresh_from_db()
    assert order.status == S.ACCEPTED
    page = _client(w.buyer).get(url).content.decode()
    assert "缺货 5：断货" in page
    page = dist.get(url).content.decode()
    assert f'name="ship-{first.pk}-packs"' in page and f'name="ship-{second.pk}-packs"' not in page
    expiry = (timezone.localdate() + timedelta(days=400)).isoformat()
    dist.post(
        url,
        {
            "action": "ship",
            "version": order.version,
            "invoice_number": "INV-88",
            f"ship-{first.pk}-packs": "10",
            f"ship-{first.pk}-batch": "B1",
            f"ship-{first.pk}-expiry": expiry,
        },
    )
    order.refresh_from_db()
    assert order.status == S.SHIPPED
    assert "新建配送单" not in dist.get(url).content.decode()  # nothing left to ship: no ship form
