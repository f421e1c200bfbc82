"""Demo settlement: receipts of awarded products at two hospitals over the last two months (ordered, shipped and
received through procurement's order services, then dated back — demo data only), prepayments, one return, a
statement in every status, a dispute, payments, an overdue one, and a price correction of a paid statement's line
settled in the next month's statement. Runs after procurement's demo; a second run
changes nothing (it stops when the demo statements exist)."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organization, User
from common.demo import DemoContext
from procurement.demo import _rep_for
from procurement.models import DistributionAuthorization, GoodsReturnLine, Listing, ReceiptLine, Tender
from procurement.services import deliveries as delivery_svc
from procurement.services import orders as osvc
from procurement.services import receipts as receipt_svc
from procurement.services import returns as return_svc
from procurement.services.progress import progress_ensure_current

from . import demo_fund, demo_savings
from .errors import ConflictError
from .generation import fund_for_region, generate_statements
from .models import SettlementStatement
from .services import corrections, deadlines, deductions, payments, prepayments, review, statements

DEMO_TENDER = "NMG-YP-2026-01"
# 北辰制药 (the demo login mfr2)'s awarded products in this tender in execution are received and settled too: its
# statements, one per hospital and month, claimed, confirmed by the hospital, paid, and one still to claim.
MAKER_TENDER = "NMG-YP-2026-07"
MAKER_PLAN = ["paid", "hospital_confirmed", "claimed"]


def _month_start(months_back: int):
    day = timezone.localdate().replace(day=1)
    for _ in range(months_back):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


def _rep(maker: Organization) -> User:
    return _rep_for(maker)


def _receive(buyer: User, dist: User, listings, packs: int, on, invoice: str) -> None:
    """One order of the listings, accepted, shipped and received through the order services, dated `on`."""
    hospital = buyer.organization
    for listing in listings:
        auth, _ = DistributionAuthorization.objects.get_or_create(
            manufacturer=listing.manufacturer,
            distributor=dist.organization,
            product=listing.product,
            valid_from=listing.valid_from,
            defaults={"is_active": True},
        )
        auth.regions.add(hospital.region.pooling_region)
    order = osvc.order_create(
        by=buyer, distributor=dist.organization, lines=[{"listing": listing, "packs": packs} for listing in listings]
    )
    osvc.order_submit(order=order, by=buyer)
    osvc.order_accept(order=order, by=dist)
    delivery = delivery_svc.delivery_create(
        order=order,
        by=dist,
        invoice_number=invoice,
        lines=[
            {
                "order_line": line.pk,
                "packs": line.packs,
                "batch_number": f"B{line.pk:06d}",
                "expiry_date": (timezone.localdate() + timedelta(days=700)).isoformat(),
            }
            for line in order.lines.all()
        ],
    )
    receipt = receipt_svc.receipt_create(delivery=delivery, by=buyer)
    ReceiptLine.objects.filter(receipt=receipt).update(received_on=on)  # demo: the receipt happened last month


def _pay(statement: SettlementStatement, buyers, fund: User) -> None:
    """Claimed, confirmed, approved and paid in full."""
    hospital_user = next(b for b in buyers if b.organization_id == statement.hospital_id)
    statements.statement_claim(
        statement=statement, by=_rep(statement.manufacturer), invoice_numbers=[f"{44000000 + statement.pk:08d}"]
    )
    statements.statement_review(statement=statement, by=hospital_user)
    review.statement_approve(statement=statement, by=fund)
    payments.payment_record(statement=statement, amount=statement.amount, reference=f"ZF{statement.pk:08d}", by=fund)


def _picked_listings(tender) -> list:
    """One awarded listing per manufacturer, up to three manufacturers."""
    listings = (
        Listing.objects.filter(award__tender=tender, status="active")
        .select_related("product", "manufacturer")
        .order_by("award__lot__number", "award__rank")
    )
    picked, makers = [], set()
    for listing in listings:
        if listing.manufacturer_id not in makers and len(picked) < 3:
            picked.append(listing)
            makers.add(listing.manufacturer_id)
    return picked


def _prepay(tender, buyers, fund: User) -> None:
    for buyer in buyers:
        if tender.commitments.filter(hospital=buyer.organization).exists():
            with contextlib.suppress(ConflictError):
                prepayments.prepayment_create(
                    hospital=buyer.organization,
                    tender=tender,
                    by=fund,
                    paid_on=max(tender.cycle_start, timezone.localdate() - timedelta(days=60)),
                    reference=f"YF-{buyer.organization.pk:05d}",
                )


def _return_part(buyer: User, received_on) -> None:
    """A return of part of the first receipt line received that day at the buyer's hospital."""
    line = ReceiptLine.objects.filter(hospital=buyer.organization, received_on=received_on).order_by("pk").first()
    if line is not None:
        return_svc.goods_return_create(
            order=line.order_line.order, by=buyer, reason="包装破损", lines=[{"receipt_line": line.pk, "packs": 2}]
        )
        GoodsReturnLine.objects.filter(receipt_line=line).update(returned_on=received_on + timedelta(days=3))


def _correct_price(paid: SettlementStatement, fund: User, two_back, one_back) -> None:
    """The paid statement's product's price is corrected for the month's receipts (a price linkage taking effect
    retroactively): the paid statement stays as it is, and last month's statements of that product carry the
    difference as price-adjustment lines."""
    corrected = paid.lines.filter(kind="receipt").select_related("receipt_line__listing").order_by("pk").first()
    corrections.price_correction_create(
        listing=corrected.receipt_line.listing,
        unit_price=(corrected.unit_price * Decimal("0.97")).quantize(Decimal("0.0001")),
        effective_from=two_back,
        effective_to=one_back - timedelta(days=1),
        by=fund,
        reason="国家集采价格联动下调 3%，追溯至已结算验收",
    )


PLAN = ["paid", "partially_paid", "approved", "hospital_confirmed", "disputed", "claimed", "reduced", "returned"]


def _advance(statement: SettlementStatement, target: str, hospital_user: User, fund: User) -> None:
    """Take a statement through the workflow up to `target` (a status, or "disputed")."""
    statements.statement_claim(
        statement=statement, by=_rep(statement.manufacturer), invoice_numbers=[f"{44000000 + statement.pk:08d}"]
    )
    if target == "claimed":
        return
    if target == "disputed":
        first = statement.lines.order_by("pk").first()
        statements.statement_review(statement=statement, by=hospital_user, disputes={first.pk: "实收数量与配送单不符"})
        return
    statements.statement_review(statement=statement, by=hospital_user)
    if target == "hospital_confirmed":
        return
    if target == "returned":
        review.statement_return(
            statement=statement, by=fund, reason="发票抬头与医疗机构名称不一致，请重开发票后重新申报"
        )
        return
    if target == "reduced":
        line = statement.lines.filter(amount__gt=0).order_by("-amount", "pk").first()
        cut = (line.amount / 10).quantize(Decimal("0.01"))
        reason = "发票金额高于验收明细金额，按验收金额核减差额"
        review.statement_approve(statement=statement, by=fund, reductions={line.pk: {"amount": cut, "reason": reason}})
        return
    review.statement_approve(statement=statement, by=fund)
    if target in ("paid", "partially_paid"):
        amount = statement.amount if target == "paid" else (statement.amount / 2).quantize(statement.amount)
        payments.payment_record(statement=statement, amount=amount, reference=f"ZF{statement.pk:08d}", by=fund)


def _seed_maker(buyers, dist: User, fund: User) -> str:
    """mfr2's receipts of its awarded products (two hospitals, two months) and its statements in several states."""
    rep = User.objects.filter(username="mfr2").select_related("organization").first()
    tender = Tender.objects.filter(code=MAKER_TENDER).first()
    if rep is None or tender is None:
        return ""
    maker = rep.organization
    if SettlementStatement.objects.filter(manufacturer=maker).exists():
        return ""
    listings = list(
        Listing.objects.filter(award__tender=tender, manufacturer=maker, status="active").order_by("pk")[:2]
    )
    if not listings:
        return ""
    two_back, one_back = _month_start(2), _month_start(1)
    for i, buyer in enumerate(buyers):
        for month, packs in ((two_back, 40), (one_back, 60)):
            _receive(buyer, dist, listings, packs, month + timedelta(days=9), f"{20270000 + maker.pk * 10 + i:08d}")
    progress_ensure_current()
    generate_statements(month=two_back)
    generate_statements(month=one_back)
    made = list(SettlementStatement.objects.filter(manufacturer=maker).order_by("period", "hospital_id"))
    for statement, target in zip(made, MAKER_PLAN, strict=False):
        hospital_user = next(b for b in buyers if b.organization_id == statement.hospital_id)
        _advance(statement, target, hospital_user, fund)
    return f"；{maker.name} {len(made)} 张结算单（已支付、待基金审核、待医疗机构确认、待企业申报）"


def seed(ctx: DemoContext) -> str:
    if SettlementStatement.objects.exists():
        fund = User.objects.filter(username="fund").first()
        dist = User.objects.filter(username="dist").first()
        buyers = [u for u in User.objects.filter(username__in=["buyer", "buyer_cf"]).select_related("organization")]
        maker = _seed_maker(buyers, dist, fund) if fund and dist and buyers else ""
        return "已存在" + maker + _seed_fund(fund, dist)
    tender = Tender.objects.filter(code=DEMO_TENDER).first()
    fund = User.objects.filter(username="fund").first()
    dist = User.objects.filter(username="dist").first()
    buyers = [u for u in User.objects.filter(username__in=["buyer", "buyer_cf"]).select_related("organization")]
    if tender is None or fund is None or dist is None or not buyers:
        return "缺少演示批次或用户，跳过"
    picked = _picked_listings(tender)
    if not picked:
        return "演示批次没有中选挂网产品，跳过"
    _prepay(tender, buyers, fund)
    two_back, one_back = _month_start(2), _month_start(1)
    n = 0
    for buyer in buyers:
        for month, packs in ((two_back, 20), (one_back, 30)):
            n += 1
            _receive(buyer, dist, picked, packs, month + timedelta(days=6), f"{20260000 + n:08d}")
    _return_part(buyers[0], one_back + timedelta(days=6))
    # Commitment progress counts these receipts now, so seeding again finds it current and changes nothing.
    progress_ensure_current()
    generate_statements(month=two_back)
    paid = SettlementStatement.objects.order_by("period", "hospital_id", "manufacturer_id").first()
    _pay(paid, buyers, fund)
    _correct_price(paid, fund, two_back, one_back)
    generate_statements(month=one_back)
    made = list(SettlementStatement.objects.order_by("period", "hospital_id", "manufacturer_id"))
    for statement, target in zip(made, PLAN, strict=False):
        if statement.pk != paid.pk:
            hospital_user = next(b for b in buyers if b.organization_id == statement.hospital_id)
            _advance(statement, target, hospital_user, fund)
    maker = _seed_maker(buyers, dist, fund)
    deadlines.settlements_daily_check()  # the approved one of two months ago is past its payment term: overdue
    for buyer in buyers:
        deductions.hospital_deductions_post(
            fund=fund_for_region(buyer.organization.region), month=timezone.localdate().replace(day=1)
        )
    return (
        f"{len(made)} 张结算单（各状态各一张，含争议、核减、退回、逾期与已结算后价格更正），预付金与付款已记账{maker}"
        + _seed_fund(fund, dist)
    )


def _seed_fund(fund: User | None, dist: User | None) -> str:
    """The ended cycle's receipts and their direct settlement (before the budgets' monthly settlements), the fund
    position, then the cycle's retained savings (after the scores)."""
    receipts = demo_savings.seed_receipts(fund, dist, _receive, _rep)
    position = demo_fund.seed(fund, suspended=demo_savings.suspended_claims())
    return receipts + position + demo_savings.seed_awards(fund)
