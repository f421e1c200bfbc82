"""Demo traceability codes: two orders of the demo distributor shipped with their codes (a case of packs with
20-digit codes, GS1 codes on another line), each received by scanning — the scan is the delivery's 入库验收 (the
procurement receipt is created from it); the second hospital's delivery carries one pack code of the first — the
planted duplicate, flagged at its receipt — the first hospital returns one pack by its code (a procurement return),
and the insurance platform's file reports one pack dispensed at two places (flagged as resold). Orders are found
by their key: running the seeder again changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.demo import DemoContext
from procurement.models import DistributionAuthorization, Listing, PurchaseOrder
from procurement.services import deliveries as delivery_svc
from procurement.services import orders as order_svc

from .codes import gtin_check_ok
from .models import ProductIdentifier
from .services.dispensing import dispensing_import
from .services.receiving import codes_receive
from .services.recording import codes_record
from .services.returning import codes_return

KEYS = ("TRACE-01", "TRACE-02")


def _listings(distributor) -> list[Listing]:
    authorised = DistributionAuthorization.objects.filter(distributor=distributor, is_active=True).values("product_id")
    return list(
        Listing.objects.filter(status=Listing.Status.ACTIVE, product_id__in=authorised)
        .exclude(product__category="consumable")
        .select_related("product")
        .order_by("pk")[:2]
    )


def _gtin(n: int) -> str:
    body = f"0690{n:09d}"
    return next(body + str(d) for d in range(10) if gtin_check_ok(body + str(d)))


def _ship(buyer, dist_user, key: str, listings, packs: int) -> PurchaseOrder:
    order = order_svc.order_create(
        by=buyer,
        distributor=dist_user.organization,
        lines=[{"listing": x.pk, "packs": packs} for x in listings],
        idempotency_key=key,
        submit=True,
        remarks="追溯码演示订单",
    )
    order = order_svc.order_accept(order=order, by=dist_user)
    expiry = (timezone.localdate() + timedelta(days=600)).isoformat()
    items = [
        {"order_line": ol.pk, "packs": packs, "batch_number": f"{key[-2:]}{ol.line_no:02d}", "expiry_date": expiry}
        for ol in order.lines.order_by("line_no")
    ]
    delivery_svc.delivery_create(order=order, by=dist_user, invoice_number=f"INV-{key}", lines=items)
    return order


def _record(dist_user, order: PurchaseOrder, key: str, packs: list[str], gs1: list[str]):
    delivery = order.deliveries.get()
    first, second = list(delivery.lines.order_by("pk"))
    case = f"89{key[-2:]}0000000000000000"
    rows = [{"delivery_line": first.pk, "code": case}]
    rows += [{"delivery_line": first.pk, "code": c, "parent": case} for c in packs]
    rows += [{"delivery_line": second.pk, "code": c} for c in gs1]
    codes_record(delivery_id=delivery.pk, by=dist_user, rows=rows)
    return delivery, case


def seed_late(ctx: DemoContext) -> str:
    users = {u.username: u for u in User.objects.filter(username__in=["dist", "buyer", "buyer_mn", "fund"])}
    if len(users) < 4 or PurchaseOrder.objects.filter(idempotency_key__in=KEYS).exists():
        return "已存在或缺少演示用户，跳过"
    listings = _listings(users["dist"].organization)
    if len(listings) < 2:
        return "缺少可配送的挂网药品，跳过"
    with transaction.atomic():
        for i, listing in enumerate(listings):
            ProductIdentifier.objects.get_or_create(
                identifier=f"81{i:05d}", defaults={"product": listing.product}
            )  # 7-digit 药品标识码 of the first product's 20-digit codes
        gtin = _gtin(7)
        ProductIdentifier.objects.get_or_create(identifier=gtin, defaults={"product": listings[1].product})
        packs1 = [f"8100000{n:013d}" for n in range(1, 5)]
        packs2 = [f"8100000{n:013d}" for n in range(101, 104)] + [packs1[0]]  # the planted duplicate
        gs1_1 = [f"(01){gtin}(17)281231(10)T01(21)S{n:05d}" for n in range(1, 5)]
        gs1_2 = [f"(01){gtin}(17)281231(10)T02(21)S{n:05d}" for n in range(101, 105)]
        first = _ship(users["buyer"], users["dist"], KEYS[0], listings, 4)
        second = _ship(users["buyer_mn"], users["dist"], KEYS[1], listings, 4)
        d1, case1 = _record(users["dist"], first, KEYS[0], packs1, gs1_1)
        d2, case2 = _record(users["dist"], second, KEYS[1], packs2, gs1_2)
        codes_receive(delivery_id=d1.pk, by=users["buyer"], codes=[case1, *gs1_1])
        codes_receive(delivery_id=d2.pk, by=users["buyer_mn"], codes=[case2, *gs1_2])
        codes_return(by=users["buyer"], codes=[packs1[3]], reason="外包装破损（演示）")
        today = timezone.localdate()
        hospital, other = users["buyer"].organization.name, users["buyer_mn"].organization.name
        rows = [
            f"{packs1[1]},{hospital},{today - timedelta(days=2)}",
            f"{packs1[2]},{hospital},{today - timedelta(days=1)}",
            f"{packs1[1]},{other},{today}",  # the same pack dispensed again elsewhere: 回流药
        ]
        content = ("追溯码,机构,日期\n" + "\n".join(rows) + "\n").encode()
        dispensing_import(content=content, file_name="医保平台发药追溯码（演示）.csv", by=users["fund"])
    return "追溯码演示：2 张配送单扫码入库验收（箱码→包装码、GS1 码），1 个按码退货，1 个重复验收、1 个回流药标记"
