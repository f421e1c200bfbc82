"""Reads of traceability, scoped to the user: a delivery's codes and counts, a hospital's stock by product, flags."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.permissions import can
from catalog.models import Product
from procurement.models import GoodsReturn

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
