"""Demo consumable tender: intraocular lenses (人工晶体) bid per registration certificate, through awards.

Run through the real services, like the drug tenders of procurement.demo: the rules are set, the lot is configured,
hospitals report intended volumes per brand (意向采购量), the makers submit sealed bids, the tender is opened,
evaluated and awarded. The rules are the demo province's own choice (not a national batch's): groups A/B by
intended volume as the national joint batch forms them (85 %, here at least 2 bidders in A), 1.8 × the group's
lowest, and revival (复活) at the group's highest selected price for a bidder that accepts it. Looked up by code:
running it again changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalog.demo_devices import IOL_CLASS, IOL_GENERIC
from catalog.models import Product
from common.demo import DemoContext

from .models import Tender, TenderEvaluation
from .services import tenders as svc
from .services.tenders import consumables as hc

CODE = "NMG-HC-2026-01"
NAME = "自治区人工晶体类医用耗材集中带量采购（演示）"
RULES = {
    "ratio_to_lowest": "1.8",
    "grouping": "ab_by_volume",
    "group_a_share": "0.85",
    "group_a_min": 2,
    "revival": True,
    "agreed_share": "0.80",
}
# trade name → (price per lens, accepts the revival price)
BIDS = {"星澈": ("520.00", False), "苍明": ("680.00", False), "晶桦": ("1150.00", True), "银晶": ("760.00", False)}


def _times(tender: Tender, **values) -> None:
    Tender.objects.filter(pk=tender.pk).update(**values)
    tender.refresh_from_db()


def _demand(lot, buyers, products) -> None:
    """Each hospital reports two or three brands; the biggest share goes to a different brand by hospital."""
    for index, buyer in enumerate(buyers):
        for offset, product in enumerate(products):
            volume = 0 if (index + offset) % 4 == 3 else 40 * ((index + offset) % 4 + 1) + 10 * (index % 3)
            if volume:
                hc.consumable_demand_report(lot=lot, by=buyer, product=product, volume=volume)


def _bids(lot, rep_for) -> None:
    for product in hc.lot_consumable_products(lot):
        terms = BIDS.get(product.trade_name)
        if terms is None:
            continue
        price, revival = terms
        rep = rep_for(product.manufacturer)
        hc.consumable_bid_submit(
            lot=lot, product=product, price=Decimal(price), supply_capacity=50_000, by=rep, accepts_revival=revival
        )


def seed(ctx: DemoContext, *, rep_for) -> str:
    if Tender.objects.filter(code=CODE).exists():
        return f"耗材批次 {CODE}（已存在）"
    official = User.objects.get(username="official")
    buyers = list(User.objects.filter(roles__code="purchaser").select_related("organization").order_by("pk"))[:12]
    with transaction.atomic():
        now = timezone.now()
        tender = svc.tender_create(
            by=official,
            code=CODE,
            name=NAME,
            kind=Tender.Kind.CONSUMABLES,
            demand_start=now - timedelta(minutes=5),
            demand_end=now + timedelta(days=1),
            bid_deadline=now + timedelta(days=2),
            opening_at=now + timedelta(days=2, hours=1),
            cycle_start=date(2026, 7, 1),
            cycle_end=date(2028, 6, 30),
        )
        hc.consumable_rules_set(tender=tender, by=official, overrides=RULES)
        lot = svc.lot_add(
            tender=tender,
            by=official,
            number="01",
            generic_name=IOL_GENERIC,
            max_price="1800.0000",
            comparison_unit="片",
        )
        hc.consumable_lot_configure(lot=lot, by=official, consumable_class=IOL_CLASS, high_value_class="iol")
        svc.tender_start_demand_collection(tender=tender, by=official)
        products = [p for p in hc.lot_consumable_products(lot) if p.trade_name in BIDS]
        _demand(lot, buyers, products)
        _times(tender, demand_start=now - timedelta(days=10), demand_end=now - timedelta(minutes=1))
        svc.tender_refresh(tender=tender)
        _bids(lot, rep_for)
        _times(tender, bid_deadline=now - timedelta(seconds=2), opening_at=now - timedelta(seconds=1))
        svc.tender_open_bids(tender=tender, by=official)
        svc.tender_evaluate(tender=tender, by=official)
        # the candidate results were on public notice long ago (as in procurement.demo): past the notice period
        TenderEvaluation.objects.filter(tender=tender).update(run_at=now - timedelta(days=30))
        awards = svc.tender_award(tender=tender, by=official)
        svc.tender_refresh(tender=tender)
    return f"耗材批次 {CODE}：{Product.objects.filter(consumable_class=IOL_CLASS).count()} 个人工晶体，中选 {len(awards)} 个"
