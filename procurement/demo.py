"""Demo tenders in every state, run through the real services (bids sealed, evaluated, awarded).

The services check their time windows against the clock, so the seeder runs each tender's steps while its windows
are open and then moves the tender's dates to where the demo wants them (demo data only). Tenders are looked up by
code: running the seeder again changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, Role, User
from catalog.models import Product
from common.demo import DemoContext

from . import demo_consumables, demo_listings, national_demo
from .demo_orders import _advance, _authorize, _orderable_listings, seed_orders
from .models import Tender, TenderEvaluation
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
