"""Demo online ordering (挂网采购): listings beside the tender awards (price linkage), the demo distributor authorised
for them in every league, orders in every state made through the services, and off-platform purchases. Run by
procurement.demo's `seed`; a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from accounts.models import Region, User
from catalog.models import Product
from common.demo import DemoContext

from .models import DistributionAuthorization, Listing, OffPlatformPurchase, PurchaseOrder
from .offplatform import offplatform_import
from .services import authorizations as auth_svc
from .services import deliveries as delivery_svc
from .services import listings as listing_svc
from .services import orders as order_svc
from .services import receipts as receipt_svc
from .services import returns as return_svc

# --- online ordering -----------------------------------------------------------------------------------------------
# Listings beside the tender awards (price linkage), the demo distributor authorised for them in every league, and
# orders in every state, made through the services. Each order carries an idempotency key (DEMO-…): a second run
# finds it and changes nothing.

DEMO_LINKAGE = "全国最低价联动挂网（演示）"


def _ordering_listings(admin) -> list:
    today = timezone.localdate()
    if Listing.objects.filter(status_reason=DEMO_LINKAGE).exists():
        picks = []  # listed by an earlier run
    else:
        picks = _linkage_picks()
    for index, product in enumerate(picks):
        price = Decimal(["0.4200", "1.1500", "2.3800", "0.8600", "5.2000"][index % 5])
        if product.category == "consumable":
            price = Decimal(["3200.0000", "1850.0000", "680.0000", "12500.0000"][index % 4])
        listing_svc.listing_create_from_price_linkage(
            product=product, unit_price=price, by=admin, valid_from=today.replace(month=1, day=1), reason=DEMO_LINKAGE
        )
    return _orderable_listings()


def _orderable_listings() -> list:
    today = timezone.localdate()
    return list(
        Listing.objects.filter(status=Listing.Status.ACTIVE, valid_from__lte=today)
        .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=today))
        .select_related("product")
        .order_by("pk")
    )


def _linkage_picks() -> list:
    listed = set(Listing.objects.values_list("product_id", flat=True))
    awarded_names = set(
        Listing.objects.filter(source=Listing.Source.TENDER_AWARD).values_list("product__generic_name", flat=True)
    )
    # From the end of the catalog: the first products of each kind are the price-monitoring demo's, which has
    # observations and alerts of its own for them.
    picks = []
    # a non-selected maker of a selected generic (ordering it while the commitment is unmet is a substitution)
    picks += list(
        Product.objects.filter(generic_name="阿托伐他汀钙片", is_active=True).exclude(pk__in=listed).order_by("pk")[:1]
    )
    for category, count in (("chemical", 8), ("mongolian_patent", 3), ("chinese_patent", 2)):
        picks += list(
            Product.objects.filter(category=category, is_active=True)
            .exclude(pk__in=listed)
            .exclude(generic_name__in=awarded_names)
            .order_by("-pk")[:count]
        )
    picks += list(
        Product.objects.filter(category="consumable", high_value=True, is_active=True)
        .exclude(pk__in=listed)
        .order_by("-pk")[:4]
    )
    return picks


def _authorize(admin, distributor, listings) -> None:
    leagues = list(Region.objects.filter(level=Region.Level.LEAGUE_CITY))
    start = timezone.localdate().replace(month=1, day=1)
    have = set(DistributionAuthorization.objects.filter(distributor=distributor).values_list("product_id", flat=True))
    for listing in listings:
        if listing.product_id not in have:
            auth_svc.authorization_grant(
                by=admin, product=listing.product, distributor=distributor, regions=leagues, valid_from=start
            )
            have.add(listing.product_id)


def _expiry() -> str:
    return (timezone.localdate() + timedelta(days=720)).isoformat()


def _ship(order, dist_user, *, share=1.0, invoice: str):
    lines = [
        {
            "order_line": line.pk,
            "packs": max(1, int(line.packs_outstanding * share)) if share < 1 else line.packs_outstanding,
            "batch_number": f"{invoice[-4:]}{line.line_no:02d}",
            "expiry_date": _expiry(),
        }
        for line in order.lines.order_by("line_no")
        if line.packs_outstanding
    ]
    return delivery_svc.delivery_create(order=order, by=dist_user, invoice_number=invoice, lines=lines)


def _orders(buyers: dict, dist_user, listings, official) -> int:
    substitute = next((x for x in listings if x.product.generic_name == "阿托伐他汀钙片" and x.award_id is None), None)
    drugs = [x for x in listings if x.product.category != "consumable" and x != substitute]
    devices = [x for x in listings if x.product.category == "consumable"]

    def lines(pool, start, n, packs=20):
        chosen = [pool[(start + i) % len(pool)] for i in range(n)]
        return [{"listing": x.pk, "packs": packs + 5 * i} for i, x in enumerate(dict.fromkeys(chosen))]

    plans = [  # key, buyer, lines, target state
        ("DEMO-01", "buyer", lines(drugs, 0, 3), "draft"),
        ("DEMO-02", "buyer_cf", lines(devices, 0, 1, packs=2), "draft"),
        ("DEMO-03", "buyer", lines(drugs, 3, 4), "submitted"),
        ("DEMO-04", "buyer_mn", lines(drugs, 6, 2), "submitted_overdue"),
        ("DEMO-05", "buyer", lines(drugs, 8, 3), "accepted"),
        ("DEMO-06", "buyer_cf", lines(drugs, 1, 2), "accepted_overdue"),
        ("DEMO-07", "buyer", lines(drugs, 2, 2), "rejected"),
        ("DEMO-08", "buyer", lines(drugs, 4, 3), "partially_shipped"),
        ("DEMO-09", "buyer_cf", lines(drugs, 5, 3), "partially_received"),
        ("DEMO-10", "buyer", lines(drugs, 7, 4) + lines(devices, 1, 1, packs=3), "received"),
        ("DEMO-11", "buyer_mn", lines(drugs, 9, 2), "closed"),
        ("DEMO-12", "buyer", lines(drugs, 10, 2), "cancelled"),
        ("DEMO-13", "buyer_cf", lines(devices, 2, 2, packs=2), "returned"),
        ("DEMO-14", "buyer_mn", lines(drugs, 11, 3), "short_closed"),
        # a second hospital waiting past the delivery deadline for a product of DEMO-06, and a second stock-out
        # rejection of DEMO-07's products: the shortage watch has something to show
        ("DEMO-16", "buyer", lines(drugs, 1, 1), "accepted_overdue"),
        ("DEMO-17", "buyer_mn", lines(drugs, 2, 2), "rejected"),
        # accepted with one line short (缺货, with its reason), the rest shipped
        ("DEMO-18", "buyer", lines(drugs, 12, 3), "shortage"),
    ]
    if substitute is not None:
        plans.append(("DEMO-15", "buyer", [{"listing": substitute.pk, "packs": 30}], "substitution"))
    created = 0
    # an earlier run's orders are found by their key before asking again: the listings may have changed since (one is
    # suspended below), and a key asked for with other lines is refused
    done = set(
        PurchaseOrder.objects.filter(idempotency_key__startswith="DEMO-").values_list("hospital_id", "idempotency_key")
    )
    for key, username, items, target in plans:
        buyer = buyers[username]
        if (buyer.organization_id, key) in done:
            continue
        order = order_svc.order_create(
            by=buyer,
            distributor=dist_user.organization,
            lines=items,
            idempotency_key=key,
            submit=target != "draft",
            remarks="演示订单" if target != "substitution" else "非中选产品替代采购（演示）",
        )
        if order.replayed:
            continue
        created += 1
        _advance(order, target, key=key, buyer=buyer, dist_user=dist_user)
    order_svc.orders_flag_overdue()  # what the hourly deadline job would have found
    # a listing suspended by a credit consequence flags the open orders on it (once)
    flagged = PurchaseOrder.objects.filter(idempotency_key="DEMO-05").first()
    if created and flagged is not None:
        listing = flagged.lines.order_by("line_no").first().listing
        if listing.status == listing.Status.ACTIVE:
            listing_svc.listing_suspend(listing=listing, by=official, reason="信用评价：严重失信，暂停挂网（演示）")
    return created


def _overdue(order, hours: int) -> None:
    """Move the order's submission `hours` into the past (demo data only): its deadlines have passed."""
    past = timezone.now() - timedelta(hours=hours)
    PurchaseOrder.objects.filter(pk=order.pk).update(
        submitted_at=past, response_due_at=past + timedelta(hours=24), delivery_due_at=past + timedelta(hours=72)
    )


def _receive_partly(order, buyer, dist_user, key: str) -> None:
    first = _ship(order, dist_user, share=0.5, invoice=f"{key}-1")
    line = first.lines.order_by("pk").first()
    rows = [
        {
            "delivery_line": dl.pk,
            "accepted_packs": dl.packs - (1 if dl.pk == line.pk else 0),
            "rejected_packs": 1 if dl.pk == line.pk else 0,
            "reject_reason": "外包装破损" if dl.pk == line.pk else "",
        }
        for dl in first.lines.order_by("pk")
    ]
    receipt_svc.receipt_create(delivery=first, by=buyer, lines=rows)


def _close_short(order, buyer, dist_user, key: str) -> None:
    delivery = _ship(order, dist_user, share=0.6, invoice=f"{key}-1")
    receipt_svc.receipt_create(delivery=delivery, by=buyer)
    order_svc.order_close(order=order, by=buyer, reason="配送企业短缺，剩余数量改由其他订单采购")


def _receive(order, buyer, dist_user, key: str, target: str) -> None:
    delivery = _ship(order, dist_user, invoice=f"{key}-1")
    receipt = receipt_svc.receipt_create(delivery=delivery, by=buyer)
    if target == "returned":
        line = receipt.lines.order_by("pk").first()
        return_svc.goods_return_create(
            order=order, by=buyer, reason="规格型号与手术需求不符", lines=[{"receipt_line": line.pk, "packs": 1}]
        )
    if target == "closed":
        order_svc.order_close(order=order, by=buyer)


def _advance(order, target: str, *, key: str, buyer, dist_user) -> None:
    """Take a new (draft or submitted) order to the demo's `target` state through the services."""
    if target in ("draft", "submitted", "substitution"):
        return
    if target == "submitted_overdue":
        _overdue(order, 30)
        return
    if target == "rejected":
        reason = "该品规暂时缺货" if key == "DEMO-07" else "生产企业断货，暂无法供应"
        order_svc.order_reject(order=order, by=dist_user, reason=reason)
        return
    if target == "cancelled":
        order_svc.order_cancel(order=order, by=buyer, reason="科室需求取消")
        return
    if target == "shortage":
        short = order.lines.order_by("line_no").last()
        order = order_svc.order_accept(
            order=order,
            by=dist_user,
            remarks="部分品规缺货，其余已安排发货",
            shortages={short.pk: {"reason": "生产企业断货，预计两周后恢复供应"}},
        )
        _ship(order, dist_user, invoice=f"{key}-1")
        return
    order = order_svc.order_accept(order=order, by=dist_user, remarks="已安排发货")
    steps = {
        "accepted": lambda: None,
        "accepted_overdue": lambda: _overdue(order, 80),
        "partially_shipped": lambda: _ship(order, dist_user, share=0.5, invoice=f"{key}-1"),
        "partially_received": lambda: _receive_partly(order, buyer, dist_user, key),
        "short_closed": lambda: _close_short(order, buyer, dist_user, key),
    }
    steps.get(target, lambda: _receive(order, buyer, dist_user, key, target))()


def _off_platform(admin, hospitals) -> None:
    if OffPlatformPurchase.objects.filter(hospital__in=hospitals).exists():
        return
    products = list(Listing.objects.select_related("product").order_by("pk")[:6])
    today = timezone.localdate()
    rows = ["医疗机构,医保代码,月份,数量,金额,来源"]
    for months_back in range(0, 6):
        year, month = today.year, today.month - months_back
        while month < 1:
            year, month = year - 1, month + 12
        for h_index, hospital in enumerate(hospitals):
            for p_index, listing in enumerate(products):
                quantity = 200 + 50 * ((h_index + p_index + months_back) % 5)
                amount = (listing.unit_price * quantity).quantize(Decimal("0.01"))
                rows.append(
                    f"{hospital.name},{listing.product.nhsa_code},{year}-{month:02d},{quantity},{amount},HIS导出"
                )
    offplatform_import(by=admin, data="\n".join(rows).encode(), name="线下采购演示.csv")


def seed_orders(ctx: DemoContext) -> str:
    admin = User.objects.get(username="admin")
    official = User.objects.get(username="official")
    dist_user = User.objects.get(username="dist")
    buyers = {u.username: u for u in User.objects.filter(username__in=["buyer", "buyer_mn", "buyer_cf"])}
    with transaction.atomic():
        listings = _ordering_listings(admin)
        _authorize(admin, dist_user.organization, listings)
        created = _orders(buyers, dist_user, listings, official)
        _off_platform(admin, [u.organization for u in buyers.values()])
    return f"挂网 {len(listings)} 个、订单新建 {created} 张"
