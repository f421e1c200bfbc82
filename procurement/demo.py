"""Demo tenders in every state, run through the real services (bids sealed, evaluated, awarded).

The services check their time windows against the clock, so the seeder runs each tender's steps while its windows
are open and then moves the tender's dates to where the demo wants them (demo data only). Tenders are looked up by
code: running the seeder again changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from accounts.models import Organization, Region, Role, User
from catalog.models import Product
from common.demo import DemoContext

from . import demo_consumables, demo_listings, national_demo
from .models import DistributionAuthorization, Listing, OffPlatformPurchase, PurchaseOrder, Tender, TenderEvaluation
from .offplatform import offplatform_import
from .services import authorizations as auth_svc
from .services import deliveries as delivery_svc
from .services import listings as listing_svc
from .services import orders as order_svc
from .services import receipts as receipt_svc
from .services import returns as return_svc
from .services import tenders as svc
from .services.progress import progress_ensure_current

# code, name, target state, lots [(number, generic name, reference spec, max price per unit)]
TENDERS = [
    ("NMG-YP-2025-01", "自治区第一批药品集中带量采购（演示）", "closed", [("01", "苯磺酸氨氯地平片", "5mg", "0.3500")]),
    (
        "NMG-YP-2026-01",
        "自治区第二批药品集中带量采购（演示）",
        "executing",
        [
            ("01", "阿托伐他汀钙片", "20mg", "1.2000"),
            ("02", "盐酸二甲双胍片", "0.5g", "0.2500"),
            ("03", "氯吡格雷片", "75mg", "2.6000"),
        ],
    ),
    (
        "NMG-YP-2026-02",
        "自治区第三批药品集中带量采购（演示）",
        "opened",
        [("01", "瑞舒伐他汀钙片", "10mg", "1.5000"), ("02", "厄贝沙坦片", "150mg", "0.9000")],
    ),
    (
        "NMG-YP-2026-03",
        "自治区第四批药品集中带量采购（演示）",
        "bidding",
        [("01", "格列美脲片", "2mg", "0.8000"), ("02", "孟鲁司特钠片", "10mg", "2.0000")],
    ),
    (
        "NMG-YP-2026-04",
        "自治区第五批药品集中带量采购（演示）",
        "demand_collection",
        [("01", "恩替卡韦片", "0.5mg", "3.0000"), ("02", "氯沙坦钾片", "50mg", "1.0000")],
    ),
    ("NMG-YP-2026-05", "自治区第六批药品集中带量采购（演示）", "draft", [("01", "盐酸氨溴索片", "30mg", "0.4000")]),
    (
        "NMG-YP-2026-06",
        "自治区中成药集中带量采购（演示，已终止）",
        "cancelled",
        [("01", "银杏叶片", "19.2mg", "0.6000")],
    ),
]
# Rounds with lots of their own dosage forms and rules, and the demo login whose maker bids lowest in them:
# `mfr2` (北辰制药, chemical drugs) wins lots of a chemical-drug round in execution; `mfr` (草原康泰蒙药) bids in a
# patent-medicine round judged by the patent-medicine rule set (price reduction), not by 1.8× / ¥0.10 / 差比价.
DEMO_ROUNDS = [
    {
        "code": "NMG-YP-2026-07",
        "name": "自治区化学药品集中带量采购（心脑血管与抗感染，演示）",
        "target": "executing",
        "favour": "mfr2",
        "lots": [
            {
                "number": "01",
                "generic_name": "硝苯地平控释片",
                "reference_specification": "30mg",
                "max_price": "3.2000",
                "dosage_form_group": "缓控释剂型",
                "dosage_forms": ["控释片", "缓释片"],
            },
            {
                "number": "02",
                "generic_name": "左氧氟沙星片",
                "reference_specification": "0.5g",
                "max_price": "2.4000",
                "dosage_form_group": "片剂",
                "dosage_forms": ["片剂", "薄膜衣片"],
            },
            {
                "number": "03",
                "generic_name": "阿司匹林肠溶片",
                "reference_specification": "100mg",
                "max_price": "0.1800",
                "dosage_form_group": "肠溶片",
                "dosage_forms": ["肠溶片"],
            },
        ],
    },
    {
        "code": "NMG-MZY-2026-01",
        "name": "自治区蒙成药集中带量采购（演示）",
        "target": "executing",
        "favour": "mfr",
        "rules": {"rule_set": "patent_medicine"},
        "lots": [
            {
                "number": f"{n:02d}",
                "generic_name": g,
                "reference_specification": spec,
                "max_price": price,
                "dosage_form_group": "丸剂",
                "dosage_forms": ["丸剂"],
                "comparison_unit": "丸",
            }
            for n, (g, spec, price) in enumerate(
                (
                    ("扎冲十三味丸", "2g", "0.3600"),
                    ("暖宫七味丸", "2g", "0.4200"),
                    ("益肾十七味丸", "2g", "0.5500"),
                    ("那如三味丸", "1.5g", "0.3000"),
                ),
                start=1,
            )
        ],
    },
]
PRICE_STEPS = ["0.32", "0.41", "0.55", "0.68", "0.86"]  # share of the max price each bidder asks, by maker


def _rep_for(maker: Organization) -> User:
    """A demo representative per bidding manufacturer (bids are submitted by people, not by the seeder)."""
    username = f"rep{maker.pk:03d}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, organization=maker, display_name=f"{maker.short_name or maker.name[:4]}申报员")
        user.set_unusable_password()
        user.save()
        user.roles.set([Role.objects.get(code="manufacturer_rep")])
    return user


def _demand(tender, lots, buyers, *, partial: bool = False):
    """Every demo purchaser reports on every lot (a few name a brand); with `partial`, as in a window still open, a
    quarter of them have not reported yet and some have reported only the first lot."""
    for number, lot in enumerate(lots):
        brands = list(svc.lot_products(lot))
        for index, buyer in enumerate(buyers):
            if partial and (index % 4 == 3 or (number > 0 and index % 4 == 2)):
                continue
            named = brands[index % len(brands)] if brands and index % 5 == 1 else None
            svc.demand_report(lot=lot, by=buyer, annual_volume=20000 + 5000 * (index % 7), named_product=named)


def _bids(lots, favour: int | None = None):
    """Every maker of the lot's reference product bids once; `favour` (a maker's id) asks the lowest price, so that a
    demo login's products win."""
    for lot in lots:
        products = list(
            Product.objects.filter(
                generic_name=lot.generic_name, specification=lot.reference_specification, is_active=True
            )
            .select_related("manufacturer")
            .order_by("pk")
        )
        seen = set()
        for product in products:
            if product.manufacturer_id in seen:
                continue
            seen.add(product.manufacturer_id)
            step = "0.30" if product.manufacturer_id == favour else PRICE_STEPS[len(seen) % len(PRICE_STEPS)]
            price = (lot.max_price * Decimal(step)).quantize(Decimal("0.0001"))
            svc.bid_submit(
                lot=lot, product=product, price=price, supply_capacity=5_000_000, by=_rep_for(product.manufacturer)
            )


def _set_times(tender, **values):
    Tender.objects.filter(pk=tender.pk).update(**values)
    tender.refresh_from_db()


def _extra_purchasers() -> list[User]:
    extra = [h for h in Organization.objects.filter(kind="hospital", hospital_level__in=["3", "2"]).order_by("pk")][:20]
    for hospital in extra:  # more hospitals report demand through a demo purchaser each
        username = f"buyer{hospital.pk:03d}"
        if not User.objects.filter(username=username).exists():
            user = User(username=username, organization=hospital, display_name=f"{hospital.short_name}采购员")
            user.set_unusable_password()
            user.save()
            user.roles.set([Role.objects.get(code="purchaser")])
    return list(User.objects.filter(roles__code="purchaser").select_related("organization").order_by("pk"))


def _favoured(login: str | None) -> int | None:
    user = User.objects.filter(username=login).first() if login else None
    return user.organization_id if user else None


def _seed_tender(spec: dict, *, official, buyers) -> None:
    """One demo tender run through the services up to its target state (spec: code, name, target, lots, and
    optionally rules and the login whose maker bids lowest)."""
    code, target = spec["code"], spec["target"]
    now = timezone.now()
    year = int(code.split("-")[2])
    tender = svc.tender_create(
        by=official,
        code=code,
        name=spec["name"],
        demand_start=now - timedelta(minutes=5),
        demand_end=now + timedelta(days=1),
        bid_deadline=now + timedelta(days=2),
        opening_at=now + timedelta(days=2, hours=1),
        cycle_start=date(year, 1, 1),
        cycle_end=date(year, 12, 31) if target == "closed" else date(year + 1, 12, 31),
        rules=spec.get("rules"),
    )
    lots = [svc.lot_add(tender=tender, by=official, **lot) for lot in spec["lots"]]
    if target == "draft":
        return
    svc.tender_start_demand_collection(tender=tender, by=official)
    if target == "cancelled":
        svc.tender_cancel(tender=tender, reason="国家组织集采已覆盖该品种，自治区批次终止", by=official)
        return
    _demand(tender, lots, buyers, partial=target == "demand_collection")
    if target == "demand_collection":
        _set_times(
            tender,
            demand_start=now - timedelta(days=3),
            demand_end=now + timedelta(days=12),
            bid_deadline=now + timedelta(days=20),
            opening_at=now + timedelta(days=20, hours=2),
        )
        return
    _set_times(tender, demand_start=now - timedelta(days=10), demand_end=now - timedelta(minutes=1))
    svc.tender_refresh(tender=tender)
    _bids(lots, favour=_favoured(spec.get("favour")))
    if target == "bidding":
        _set_times(tender, bid_deadline=now + timedelta(days=6, hours=17), opening_at=now + timedelta(days=7))
        return
    _set_times(tender, bid_deadline=now - timedelta(seconds=2), opening_at=now - timedelta(seconds=1))
    svc.tender_open_bids(tender=tender, by=official)
    svc.tender_evaluate(tender=tender, by=official)
    if target == "opened":
        return
    # These tenders' candidate results were on public notice (transparency) long ago: the run is dated back past the
    # notice period, as the tender's own dates are.
    TenderEvaluation.objects.filter(tender=tender).update(run_at=now - timedelta(days=30))
    svc.tender_award(tender=tender, by=official)
    svc.tender_refresh(tender=tender)  # the cycle has begun (or ended): executing / closed


def _specs() -> list[dict]:
    """The demo tenders: the chemical-drug rounds of TENDERS, then those of DEMO_ROUNDS (their own lots and rules)."""
    specs = [
        {
            "code": code,
            "name": name,
            "target": target,
            "lots": [
                {
                    "number": n,
                    "generic_name": g,
                    "reference_specification": spec,
                    "max_price": price,
                    "dosage_form_group": "片剂",
                    "dosage_forms": ["片剂", "肠溶片", "薄膜衣片"],
                }
                for n, g, spec, price in lot_specs
            ],
        }
        for code, name, target, lot_specs in TENDERS
    ]
    return specs + DEMO_ROUNDS


def seed(ctx: DemoContext) -> str:
    official = User.objects.get(username="official")
    buyers = _extra_purchasers()
    created = 0
    specs = _specs()
    for spec in specs:
        if Tender.objects.filter(code=spec["code"]).exists():
            continue
        with transaction.atomic():
            _seed_tender(spec, official=official, buyers=buyers)
        created += 1
    consumables = demo_consumables.seed(ctx, rep_for=_rep_for)
    orders = seed_orders(ctx)
    progress_ensure_current()  # progress once the demo receipts exist
    return f"{len(specs)} 个带量采购批次（新建 {created} 个）；{consumables}；{orders}"


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


def seed_late(ctx: DemoContext) -> str:
    """Listing applications and qualifications of the demo makers (after pricing's reference prices exist, which
    are their price basis), and an order of mfr's newly listed products."""
    listings = demo_listings.seed(ctx, advance=_advance)
    national = national_demo.seed_late_national(User.objects.get(username="official"))
    # What a second run would find: the distributor authorised for every listing now orderable (the national
    # batch's among them) and the progress of the commitments the batch created.
    _authorize(
        User.objects.get(username="admin"), User.objects.get(username="dist").organization, _orderable_listings()
    )
    progress_ensure_current()
    return f"{listings}；{national}"
