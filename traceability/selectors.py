"""Reads of traceability, scoped to the user: a delivery's codes and counts, a hospital's stock by product, flags."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from accounts.models import Organization
from accounts.permissions import can
from catalog.models import Product
from common.markup import mark_data
from procurement.models import Delivery, GoodsReturn

from . import sql
from .models import DeliveryCode, DispensingRecord, TraceFlag


def delivery_counts(delivery_id: int) -> list[dict]:
    """Per delivery line: packs delivered, pack codes recorded and received."""
    return [
        {"delivery_line": line, "packs": packs, "recorded": recorded, "received": received}
        for line, packs, recorded, received in sql.fetch(sql.LINE_COUNTS, delivery=delivery_id)
    ]


def delivery_codes(delivery_id: int):
    return (
        DeliveryCode.objects.filter(delivery_id=delivery_id)
        .select_related("trace_code", "parent__trace_code")
        .order_by("delivery_line_id", "parent_id", "id")
    )


def hospital_stock(hospital_id: int) -> list[dict]:
    """Stock by product from the codes: pack codes received − returned − reported use (a received pack of this
    hospital that the insurance platform reports dispensed or settled by this hospital, counted once)."""
    used = DispensingRecord.objects.filter(organization_id=hospital_id, trace_code_id=OuterRef("trace_code_id"))
    rows = (
        DeliveryCode.objects.filter(hospital_id=hospital_id, is_pack=True, received_at__isnull=False)
        .annotate(used=Exists(used))
        .values("product_id")
        .annotate(
            received=Count("id"),
            returned=Count("id", filter=Q(returned_at__isnull=False)),
            used_packs=Count("id", filter=Q(used=True, returned_at__isnull=True)),
        )
        .order_by("product_id")
    )
    names = dict(Product.objects.filter(pk__in=[r["product_id"] for r in rows]).values_list("pk", "generic_name"))
    specs = dict(Product.objects.filter(pk__in=names).values_list("pk", "specification"))
    return [
        {
            "product": r["product_id"],
            "name": names.get(r["product_id"], ""),
            "specification": specs.get(r["product_id"], ""),
            "received": r["received"],
            "returned": r["returned"],
            "used": r["used_packs"],
            "stock": r["received"] - r["returned"] - r["used_packs"],
        }
        for r in rows
    ]


def flags_visible_to(user):
    """Officials see every flag; a hospital the flags on its own deliveries and codes; others none."""
    qs = TraceFlag.objects.select_related("trace_code", "delivery", "hospital")
    if can(user, "progress.view_all"):
        return qs
    if can(user, "order.receive"):
        return qs.filter(hospital_id=user.organization_id)
    return qs.none()


def code_returns(hospital_id: int):
    """The hospital's procurement returns made by code, newest first, each with its order and the pack codes it
    returned (one statement: the count is a subquery, not a query per row)."""
    packs = (
        DeliveryCode.objects.filter(goods_return_id=OuterRef("pk"), is_pack=True)
        .order_by()
        .values("goods_return_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        GoodsReturn.objects.filter(hospital_id=hospital_id)
        .filter(Exists(DeliveryCode.objects.filter(goods_return_id=OuterRef("pk"))))
        .select_related("order")
        .annotate(code_packs=Coalesce(Subquery(packs), 0))
        .order_by("-returned_at", "-id")
    )


def with_details(flags) -> list[TraceFlag]:
    """The flags, each with `details`: its finding in words, in the reader's language, the organisations, products
    and deliveries it refers to by name (marked as data, common.markup). Three lookups for the whole page."""
    flags = list(flags)
    org_ids, product_ids, delivery_ids = set(), set(), set()
    for f in flags:
        d = f.data or {}
        org_ids.update(v for k in ("first_hospital", "first_organization") if (v := d.get(k)))
        product_ids.update(v for k in ("expected", "found") if (v := d.get(k)))
        if d.get("first_delivery"):
            delivery_ids.add(d["first_delivery"])
    orgs = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    products = {p.pk: p for p in Product.objects.filter(pk__in=product_ids)}
    deliveries = dict(Delivery.objects.filter(pk__in=delivery_ids).values_list("pk", "number"))
    for f in flags:
        f.details = _details(f, orgs, products, deliveries)
    return flags


def _details(flag: TraceFlag, orgs: dict, products: dict, deliveries: dict) -> str:
    d, kind = flag.data or {}, TraceFlag.Kind
    unknown = gettext("（未知）")
    if flag.kind == kind.WRONG_PRODUCT:
        return format_html(
            gettext("应为 {expected}，实为 {found}"),
            expected=mark_data(products.get(d.get("expected"), unknown)),
            found=mark_data(products.get(d.get("found"), unknown)),
        )
    if flag.kind == kind.DUPLICATE_RECEIPT:
        return format_html(
            gettext("首次验收：{hospital}（配送单 {delivery}）"),
            hospital=mark_data(orgs.get(d.get("first_hospital"), unknown)),
            delivery=deliveries.get(d.get("first_delivery"), unknown),
        )
    if flag.kind == kind.RESOLD:
        times = int(d.get("times") or 0)
        return format_html(
            ngettext(
                "共 {times} 次发药或结算；首次 {first_on} {organization}，最近 {last_on}",
                "共 {times} 次发药或结算；首次 {first_on} {organization}，最近 {last_on}",
                times,
            ),
            times=times,
            first_on=d.get("first_on", ""),
            organization=mark_data(orgs.get(d.get("first_organization"), unknown)),
            last_on=d.get("last_on", ""),
        )
    if flag.kind == kind.COUNT_MISMATCH:
        parts = [
            gettext("配送 %(packs)s 包装，记录追溯码 %(recorded)s 个，验收 %(received)s 个")
            % {k: line.get(k, 0) for k in ("packs", "recorded", "received")}
            for line in d.get("lines", [])
        ]
        return "；".join(parts)
    return ""
