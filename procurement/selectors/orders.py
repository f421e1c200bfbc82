"""Reads of online ordering, scoped to the user: listings, authorisations, orders, deliveries, returns."""

from __future__ import annotations

from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Organization
from accounts.permissions import can, is_official, scope_to_organization
from catalog.selectors import product_search
from common import rules
from common.numbers import param_id

from ..errors import OrderError, ValidationFailed
from ..models import (
    Delivery,
    DistributionAuthorization,
    GoodsReturn,
    Listing,
    PurchaseOrder,
    PurchaseOrderLine,
)
from ..services.orderability import unmet_commitments

# --- online ordering ------------------------------------------------------------------------------------------------


def _org_kind(user) -> str:
    org = getattr(user, "organization", None)
    return org.kind if org else ""


# the organisations that buy (a pharmacy buys as a hospital does: docs/pharmacies.md)
BUYER_KINDS = ("hospital", "pharmacy")


def orders_visible_to(user) -> QuerySet:
    """A hospital's (or pharmacy's) own orders; a distributor's incoming orders (never another party's drafts); officials all
    submitted orders. Annotated with the live overdue state (`late_response`, `late_delivery`)."""
    st = PurchaseOrder.Status
    qs = scope_to_organization(PurchaseOrder.objects.all(), user, field=("hospital", "distributor"))
    if is_official(user) or _org_kind(user) not in BUYER_KINDS:
        qs = qs.exclude(status=st.DRAFT)
    now = timezone.now()
    return qs.select_related("hospital", "distributor").annotate(
        late_response=ExpressionWrapper(
            Q(response_overdue=True) | Q(status=st.SUBMITTED, response_due_at__lt=now), output_field=BooleanField()
        ),
        late_delivery=ExpressionWrapper(
            Q(delivery_overdue=True)
            | Q(status__in=(st.SUBMITTED, st.ACCEPTED, st.PARTIALLY_SHIPPED), delivery_due_at__lt=now),
            output_field=BooleanField(),
        ),
    )


def order_allowed_actions(
    user, order: PurchaseOrder, *, returnable: bool = False, outstanding: bool = True
) -> frozenset[str]:
    """What `user` may do to `order` now, by their organisation's side of it, their role and the order's state:
    `cancel`, `receive`, `return` (with `returnable`: some received pack is not yet returned), `close` — the
    hospital's; `answer` (accept or reject), `ship` (with `outstanding`: some line still needs packs) — the
    distributor's; `remark` — either side's. The services check the same again; the pages and the API show what this
    allows."""
    st = PurchaseOrder.Status
    hospital = user.organization_id == order.hospital_id
    distributor = user.organization_id == order.distributor_id
    allowed = set()
    if hospital and can(user, "order.place") and order.status in PurchaseOrder.CANCELLABLE_STATUSES:
        allowed.add("cancel" if order.status != st.DRAFT else "submit")
    if hospital and can(user, "order.receive"):
        allowed.add("receive")
        if returnable:
            allowed.add("return")
        if order.status in (st.RECEIVED, st.PARTIALLY_RECEIVED, st.SHIPPED, st.PARTIALLY_SHIPPED):
            allowed.add("close")
    if distributor and can(user, "order.fulfil"):
        if order.status == st.SUBMITTED:
            allowed.add("answer")
        if order.status in PurchaseOrder.SHIPPABLE_STATUSES and outstanding:
            allowed.add("ship")
    if (hospital or distributor) and order.status != st.DRAFT:
        allowed.add("remark")
    return frozenset(allowed)


ORDER_FILTERS = ("status", "q", "date_from", "date_to", "distributor", "hospital", "urgent", "overdue", "flagged")


def order_filter(qs: QuerySet, params, *, form: bool = False) -> QuerySet:
    """Filters shared by the order pages, the xlsx export and the API: status (comma-separated), q (order number
    or product), date_from/date_to (creation date), distributor, hospital, urgent, overdue, flagged."""
    status = (params.get("status") or "").strip()
    if status:
        qs = qs.filter(status__in=[s for s in status.split(",") if s])
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(lines__product__generic_name__icontains=q) | Q(lines__product__nhsa_code=q)
        ).distinct()
    for key, lookup in (("date_from", "created_at__date__gte"), ("date_to", "created_at__date__lte")):
        value = (params.get(key) or "").strip()
        if value:
            try:
                qs = qs.filter(**{lookup: date.fromisoformat(value)})
            except ValueError:
                raise ValidationFailed(
                    gettext("日期“%(value)s”格式应为 YYYY-MM-DD") % {"value": value},
                    field=key,
                    code=OrderError.INVALID_DATE,
                ) from None
    for key in ("distributor", "hospital"):
        value = param_id(params, key, form=form)
        if value is not None:
            qs = qs.filter(**{f"{key}_id": value})
    if params.get("urgent") in ("1", "true"):
        qs = qs.filter(urgent=True)
    if params.get("overdue") in ("1", "true"):
        qs = qs.filter(Q(late_response=True) | Q(late_delivery=True))
    if params.get("flagged") in ("1", "true"):
        qs = qs.filter(
            Q(listing_flag=True)
            | Q(distributor__is_active=False, status__in=PurchaseOrder.AWAITING_DISTRIBUTOR_STATUSES)
        )
    return qs


def order_detail(*, user, pk: int):
    """One order with lines, deliveries (with receipts) and events; another organisation's order is not found."""
    return (
        orders_visible_to(user)
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=PurchaseOrderLine.objects.select_related(
                    "product", "manufacturer", "listing", "substitution_for__product"
                ).order_by("line_no"),
            ),
            Prefetch(
                "deliveries",
                queryset=Delivery.objects.prefetch_related(
                    "lines__order_line__product", "lines__order_line__manufacturer", "receipt__lines__delivery_line"
                ).order_by("shipped_at", "pk"),
            ),
            "events__actor",
            "returns__lines__product",
        )
        .get(pk=pk)
    )


def deliveries_visible_to(user) -> QuerySet:
    return scope_to_organization(Delivery.objects.all(), user, field=("hospital", "distributor")).select_related(
        "order", "hospital", "distributor"
    )


def returns_visible_to(user) -> QuerySet:
    return scope_to_organization(GoodsReturn.objects.all(), user, field=("hospital", "distributor")).select_related(
        "order", "hospital", "distributor"
    )


def listings_visible_to(user, *, q: str = "", orderable_only: bool = True) -> QuerySet:
    """Listings, searched with the catalog's search (code, name, pinyin initials, Mongolian name, maker). Every
    signed-in user may read listings; by default only those orderable today."""
    qs = Listing.objects.select_related("product", "manufacturer", "award")
    if orderable_only:
        today = timezone.localdate()
        qs = qs.filter(status=Listing.Status.ACTIVE, valid_from__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
    if q:
        qs = qs.filter(product__in=product_search(user=user, q=q).values("pk"))
    return qs.order_by("product__generic_name", "product__specification", "unit_price", "pk")


def listings_to_order(user, *, q: str = "") -> QuerySet:
    """What the buyer's search offers: the listings orderable today (`listings_visible_to`) — for a pharmacy under
    the negotiated-only rule, only the negotiated drugs in force today (services.orderability.check_buyer_may_order).
    Reading a listing stays open to every role; only the offer narrows."""
    qs = listings_visible_to(user, q=q)
    if _org_kind(user) == "pharmacy" and rules.pharmacies().negotiated_only:
        today = timezone.localdate()
        qs = qs.filter(
            Q(product__negotiated=True),
            Q(product__negotiated_from__isnull=True) | Q(product__negotiated_from__lte=today),
            Q(product__negotiated_to__isnull=True) | Q(product__negotiated_to__gte=today),
        )
    return qs


def authorizations_visible_to(user) -> QuerySet:
    """A manufacturer's given authorisations, a distributor's received ones, officials all, and for a hospital
    those covering its region (to choose whom to order from)."""
    qs = DistributionAuthorization.objects.select_related("manufacturer", "distributor", "product").prefetch_related(
        "regions"
    )
    if is_official(user):
        return qs
    org = getattr(user, "organization", None)
    if org is None:
        return qs.none()
    if org.kind in BUYER_KINDS:
        region_ids = [r for r in (org.region_id, org.region.parent_id if org.region else None) if r]
        return qs.filter(regions__in=region_ids, is_active=True).distinct()
    return qs.filter(Q(manufacturer=org) | Q(distributor=org))


def distributors_for_listings(*, hospital, listings) -> dict[int, list]:
    """listing id → distributors authorised for it in the hospital's region today (one query)."""
    listings = list(listings)
    if hospital.region_id is None or not listings:
        return {}
    today = timezone.localdate()
    region_ids = [hospital.region_id] + ([hospital.region.parent_id] if hospital.region.parent_id else [])
    rows = (
        DistributionAuthorization.objects.filter(
            product_id__in={x.product_id for x in listings},
            is_active=True,
            valid_from__lte=today,
            regions__in=region_ids,
            distributor__is_active=True,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values_list("product_id", "manufacturer_id", "distributor_id")
        .distinct()
    )
    orgs = Organization.objects.in_bulk({d for _, _, d in rows})
    by_key: dict[tuple[int, int], list] = {}
    for product_id, manufacturer_id, distributor_id in rows:
        by_key.setdefault((product_id, manufacturer_id), []).append(orgs[distributor_id])
    return {x.pk: sorted(by_key.get((x.product_id, x.manufacturer_id), []), key=lambda o: o.name) for x in listings}


def selected_alternatives(*, hospital_id: int, listings) -> dict[int, object]:
    """listing id → the commitment whose selected product the hospital should buy first (its agreed volume is
    unmet), for listings of non-selected products of the same lot."""
    listings = list(listings)
    by_product = unmet_commitments(
        hospital_id=hospital_id, products=[x.product for x in listings], on=timezone.localdate()
    )
    return {x.pk: by_product[x.product_id] for x in listings if x.product_id in by_product}
