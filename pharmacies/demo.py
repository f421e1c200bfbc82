"""Demo pharmacies (定点零售药店) and negotiated drugs: two pharmacies with a login each, one designated 双通道 for its
pooling region; the negotiated drugs listed and authorised; a pharmacy and a hospital each ordering a negotiated
drug through to receipt, so that the monitoring report (谈判药监测) has stock in some leagues and none in the others.
Everything goes through the services; a second run finds its rows (names, idempotency keys) and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization, Region, Role, User
from accounts.uscc import make_uscc
from catalog.models import Product
from common.demo import DemoContext
from procurement.models import DistributionAuthorization, Listing, PurchaseOrder
from procurement.services import authorizations as auth_svc
from procurement.services import deliveries as delivery_svc
from procurement.services import listings as listing_svc
from procurement.services import orders as order_svc
from procurement.services import receipts as receipt_svc

from . import services
from .models import DualChannelPharmacy

# name, league, address, designated 双通道
PHARMACIES = [
    ("呼和浩特草原仁和大药房（演示）", "150100", "呼和浩特市新城区北辰路 18 号", True),
    ("包头鹿城康民药店（演示）", "150200", "包头市昆都仑区钢铁大街 66 号", False),
]
# username, pharmacy index, display name, description
USERS = [
    ("pharmacy", 0, "高药师", "定点零售药店采购员 · 呼和浩特草原仁和大药房（双通道）"),
    ("pharmacy2", 1, "吴药师", "定点零售药店采购员 · 包头鹿城康民药店"),
]
DEMO_LISTING = "国家谈判药品挂网（演示）"
PRICES = (Decimal("128.0000"), Decimal("96.5000"), Decimal("45.2000"))


def _pharmacies(ctx: DemoContext) -> list[Organization]:
    rng = ctx.sub_rng("pharmacies")
    leagues = {r.code: r for r in Region.objects.filter(level=Region.Level.LEAGUE_CITY)}
    result = []
    for name, code, address, _designated in PHARMACIES:
        uscc = make_uscc(rng, division_code=code, category="1")  # drawn every run: the same codes each time
        org = Organization.objects.filter(name=name).first()
        if org is None:
            org = Organization(
                name=name,
                kind=Organization.Kind.PHARMACY,
                region=leagues[code],
                uscc=uscc,
                address=address,
                contact_phone="0471-0000000",
                short_name=name[:50],
            )
            org.full_clean()
            org.save()
        result.append(org)
    return result


def _users(ctx: DemoContext, pharmacies: list[Organization]) -> None:
    role = Role.objects.get(code="pharmacy_buyer")
    for username, index, display, description in USERS:
        ctx.logins.append((username, description))
        if User.objects.filter(username=username).exists():
            continue
        user = User(username=username, organization=pharmacies[index], display_name=display)
        user.set_password(ctx.password)
        user.save()
        user.roles.set([role])


def _listed_negotiated(admin, distributor) -> list[Listing]:
    """The negotiated drugs in force today, each listed (at a demo price) and authorised to the demo distributor."""
    today = timezone.localdate()
    drugs = list(
        Product.objects.filter(negotiated=True, is_active=True)
        .filter(Q(negotiated_from__isnull=True) | Q(negotiated_from__lte=today))
        .filter(Q(negotiated_to__isnull=True) | Q(negotiated_to__gte=today))
        .order_by("pk")
    )
    listed = set(Listing.objects.filter(product__in=drugs).values_list("product_id", flat=True))
    for index, product in enumerate(drugs):
        if product.pk not in listed:
            listing_svc.listing_create_from_price_linkage(
                product=product,
                unit_price=PRICES[index % len(PRICES)],
                by=admin,
                valid_from=today.replace(month=1, day=1),
                reason=DEMO_LISTING,
            )
    authorised = set(
        DistributionAuthorization.objects.filter(distributor=distributor).values_list("product_id", flat=True)
    )
    leagues = list(Region.objects.filter(level=Region.Level.LEAGUE_CITY))
    for product in drugs:
        if product.pk not in authorised:
            auth_svc.authorization_grant(
                by=admin, product=product, distributor=distributor, regions=leagues, valid_from=today.replace(day=1)
            )
    return list(
        Listing.objects.filter(product__in=drugs, status=Listing.Status.ACTIVE).select_related("product").order_by("pk")
    )


def _order_through_receipt(buyer: User, dist_user: User, listing: Listing, *, key: str, packs: int) -> bool:
    if PurchaseOrder.objects.filter(hospital_id=buyer.organization_id, idempotency_key=key).exists():
        return False
    order = order_svc.order_create(
        by=buyer,
        distributor=dist_user.organization,
        lines=[{"listing": listing.pk, "packs": packs}],
        idempotency_key=key,
        submit=True,
        remarks="谈判药采购（演示）",
    )
    order = order_svc.order_accept(order=order, by=dist_user, remarks="已安排发货")
    expiry = (timezone.localdate() + timedelta(days=540)).isoformat()
    lines = [
        {"order_line": line.pk, "packs": line.packs, "batch_number": f"NG{line.line_no:02d}", "expiry_date": expiry}
        for line in order.lines.order_by("line_no")
    ]
    delivery = delivery_svc.delivery_create(order=order, by=dist_user, invoice_number=f"{key}-1", lines=lines)
    receipt_svc.receipt_create(delivery=delivery, by=buyer)
    return True


def seed(ctx: DemoContext) -> str:
    """The pharmacies and their logins (with the other apps' users, so the late seeders treat them alike)."""
    pharmacies = _pharmacies(ctx)
    _users(ctx, pharmacies)
    return f"定点零售药店 {len(pharmacies)} 家"


def seed_late(ctx: DemoContext) -> str:
    """After every app's data (the catalog's negotiated drugs, the demo distributor, the fund officer)."""
    pharmacies = [Organization.objects.get(name=name) for name, *_rest in PHARMACIES]
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "fund", "dist", "buyer", "pharmacy"])}
    listings = _listed_negotiated(users["admin"], users["dist"].organization)
    designated = 0
    this_year = timezone.localdate().replace(month=1, day=1)
    for org, (_name, _code, _address, is_designated) in zip(pharmacies, PHARMACIES, strict=True):
        if is_designated and listings and not DualChannelPharmacy.objects.filter(pharmacy=org).exists():
            # last year for one drug (ended), this year for every negotiated drug
            services.dual_channel_designate(
                by=users["fund"],
                pharmacy=org,
                region=org.region,
                valid_from=this_year.replace(year=this_year.year - 1),
                valid_to=this_year - timedelta(days=1),
                products=[listings[0].product_id],
            )
            services.dual_channel_designate(
                by=users["fund"], pharmacy=org, region=org.region, valid_from=this_year, all_negotiated=True
            )
            designated += 1
    orders = 0
    if listings:
        orders += _order_through_receipt(users["pharmacy"], users["dist"], listings[0], key="DEMO-PH-01", packs=6)
        orders += _order_through_receipt(users["buyer"], users["dist"], listings[-1], key="DEMO-PH-02", packs=12)
    return f"双通道新认定 {designated} 家、谈判药挂网 {len(listings)} 个、谈判药订单新建 {orders} 张"
