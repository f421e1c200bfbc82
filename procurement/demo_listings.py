"""Demo listing applications and qualifications, run after every app's data exists (procurement.demo.seed_late).

Both demo makers — `mfr` (草原康泰蒙药, Mongolian medicines) and `mfr2` (北辰制药, chemical drugs) — record their
licences and registration certificates (mfr's drug manufacturing licence expires within a month: the watch warns),
and have applications in every state: approved (for `mfr` these are listings the demo hospital then orders and
receives), submitted (one above the price-linkage ceiling with a justification, for mfr2), returned with reasons,
refused, a draft, a price change and a delisting awaiting review. Looked up by product and kind: a second run
changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Region, User
from catalog.models import Product
from qualifications.models import Qualification
from qualifications.services import qualification_add, qualification_expiry_warnings

from .models import Listing, ListingApplication, PurchaseOrder
from .selectors.applications import price_basis
from .services import applications as svc
from .services import orders as order_svc

K = ListingApplication.Kind
QK = Qualification.Kind

# username → (product category, states for the first unlisted products, in order)
PLANS = {
    "mfr": (
        ("mongolian_patent", "mongolian_pieces"),
        ["approved", "approved", "submitted", "returned", "refused", "draft"],
    ),
    "mfr2": (("chemical",), ["approved", "approved", "returned", "refused", "draft", "submitted_above"]),
}
RETURN_NOTE = "价格依据不足：请补充至少两个省份的挂网价截图及全国最低价来源"
REFUSE_NOTE = "该产品已有同通用名同剂型多家企业挂网且申报价明显偏高，不予通过"


def _qualify(user: User, products: list[Product], today) -> None:
    org = user.organization
    if Qualification.objects.filter(organization=org).exists():
        return
    start = today - timedelta(days=3 * 365)
    qualification_add(by=user, kind=QK.BUSINESS_LICENCE, number=org.uscc, valid_from=start, scope="药品生产、销售")
    # mfr's production licence runs out within a month: the expiry watch warns it (30-day warning)
    licence_to = today + timedelta(days=25) if user.username == "mfr" else today + timedelta(days=3 * 365)
    qualification_add(
        by=user,
        kind=QK.DRUG_MANUFACTURING,
        number=f"蒙{org.pk:04d}2021{'M' if user.username == 'mfr' else 'H'}",
        valid_from=start,
        valid_to=licence_to,
        scope="蒙成药、蒙药饮片" if user.username == "mfr" else "片剂、胶囊剂、注射剂",
        issuer="内蒙古自治区药品监督管理局",
    )
    for product in products:
        if product.category in ("mongolian_pieces", "tcm_pieces"):
            continue
        qualification_add(
            by=user,
            kind=QK.DRUG_APPROVAL,
            number=product.approval_number or f"国药准字Z{product.pk:08d}",
            product=product,
            valid_from=start,
            valid_to=today + timedelta(days=2 * 365),
            issuer="国家药品监督管理局",
        )


def _qualify_distributor(dist: User, today) -> None:
    org = dist.organization
    if Qualification.objects.filter(organization=org).exists():
        return
    start = today - timedelta(days=2 * 365)
    qualification_add(by=dist, kind=QK.BUSINESS_LICENCE, number=org.uscc, valid_from=start)
    qualification_add(
        by=dist,
        kind=QK.DRUG_DISTRIBUTION,
        number=f"蒙AA{org.pk:07d}",
        valid_from=start,
        valid_to=today + timedelta(days=3 * 365),
        scope="中成药、化学药制剂、抗生素制剂、生化药品",
        issuer="内蒙古自治区药品监督管理局",
    )


def _pack_price(product: Product, *, above: bool = False) -> Decimal:
    """A believable pack price under the product's linkage ceiling (or 15 % above it), else from its kind."""
    ceiling = price_basis(product, on=timezone.localdate())["ceiling"]
    unit = Decimal(ceiling) * (Decimal("1.15") if above else Decimal("0.95")) if ceiling else None
    if unit is None:
        defaults = {"chemical": Decimal("0.8500"), "mongolian_pieces": Decimal("0.1600")}
        unit = defaults.get(product.category, Decimal("1.6000"))
    return (unit * product.pack_size).quantize(Decimal("0.01"))


def _apply(user, official, dist_org, regions, product: Product, state: str) -> ListingApplication:
    above = state == "submitted_above"
    data = svc.ApplicationInput(
        kind=K.NEW,
        product=product,
        pack_price=_pack_price(product, above=above),
        evidence="参照吉林、黑龙江等省份挂网价及国家医保局公布的全国最低挂网价",
        justification="原料药价格上涨，附成本测算表；本省配送半径大，运输成本高" if above else "",
        distributors=[dist_org],
        regions=regions,
    )
    application = svc.listing_application_create(by=user, data=data, submit=state != "draft")
    if state == "approved":
        application = svc.listing_application_approve(
            application=application, by=official, note="价格依据充分，同意挂网"
        )
    elif state == "returned":
        svc.listing_application_return(application=application, by=official, note=RETURN_NOTE)
    elif state == "refused":
        svc.listing_application_refuse(application=application, by=official, note=REFUSE_NOTE)
    return application


def _changes(user, listings: list[Listing]) -> None:
    """A price change (down 5 %) on the first approved listing and a delisting of the second, awaiting review."""
    if len(listings) < 2:
        return
    first, second = listings[0], listings[1]
    svc.listing_application_create(
        by=user,
        data=svc.ApplicationInput(
            kind=K.PRICE_CHANGE,
            listing=first,
            pack_price=(first.pack_price * Decimal("0.95")).quantize(Decimal("0.01")),
            reason="原料成本下降，主动下调挂网价",
            evidence="与全国最低挂网价联动",
        ),
        submit=True,
    )
    svc.listing_application_create(
        by=user,
        data=svc.ApplicationInput(kind=K.DELIST, listing=second, reason="该规格停产，申请撤网"),
        submit=True,
    )


def _maker(user, official, dist_user, plan) -> list[Listing]:
    categories, states = plan
    today = timezone.localdate()
    products = list(
        Product.objects.filter(manufacturer=user.organization, category__in=categories, is_active=True).order_by("pk")
    )
    _qualify(user, products, today)
    listed = set(Listing.objects.values_list("product_id", flat=True))
    # distinct generic names: the demo catalog has twins of some products
    fresh, names = [], set()
    for product in products:
        if product.pk not in listed and (product.generic_name, product.specification) not in names:
            names.add((product.generic_name, product.specification))
            fresh.append(product)
    regions = list(Region.objects.filter(level=Region.Level.LEAGUE_CITY).order_by("code"))
    approved = []
    for product, state in zip(fresh, states, strict=False):
        application = _apply(user, official, dist_user.organization, regions, product, state)
        if application.status == ListingApplication.Status.APPROVED:
            approved.append(Listing.objects.get(pk=application.listing_id))
    _changes(user, approved)
    return approved


def _order_received(buyer, dist_user, listings, advance) -> None:
    """The demo hospital orders mfr's newly listed products and receives them (through the order services)."""
    key = "DEMO-LA-01"
    if not listings or PurchaseOrder.objects.filter(idempotency_key=key, hospital=buyer.organization).exists():
        return
    order = order_svc.order_create(
        by=buyer,
        distributor=dist_user.organization,
        lines=[{"listing": x.pk, "packs": 10} for x in listings],
        idempotency_key=key,
        submit=True,
        remarks="新挂网蒙成药首单（演示）",
    )
    advance(order, "received", key=key, buyer=buyer, dist_user=dist_user)


def seed(ctx, *, advance) -> str:
    users = {u.username: u for u in User.objects.filter(username__in=["mfr", "mfr2", "official", "dist", "buyer_mn"])}
    if len(users) < 5:
        return "缺少演示用户，跳过挂网申报"
    if ListingApplication.objects.filter(manufacturer=users["mfr"].organization).exists():
        return "挂网申报已存在"
    with transaction.atomic():
        _qualify_distributor(users["dist"], timezone.localdate())
        approved = {name: _maker(users[name], users["official"], users["dist"], plan) for name, plan in PLANS.items()}
        _order_received(users["buyer_mn"], users["dist"], approved["mfr"], advance)
        qualification_expiry_warnings()  # what the daily watch would send: mfr's licence expires within a month
    return f"挂网申报 {ListingApplication.objects.count()} 件，资质证照 {Qualification.objects.count()} 个"
