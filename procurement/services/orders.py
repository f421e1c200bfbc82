"""Online orders (挂网阳光采购): the hospital's side up to the distributor's answer, and the end of an order.

draft (cart) → submitted → accepted | rejected; cancelled before anything is shipped; closed after receipt (early
only with a reason). Deliveries, receipts and returns are `procurement.services.deliveries`, `.receipts` and
`.returns`; what may be ordered from whom is `.orderability`; reading and building an order's lines is
`.order_lines`; what every step shares (lock, version, event) is `.order_steps`; the distributor's
answer (accept, with shortages, or reject) is `.order_answers`, re-exported here.

Prices follow the listing while the order is a draft and are frozen on the lines at submission, with the listings
held by a share lock so that a concurrent suspension or price change waits and then sees the order.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext

from accounts.models import Organization
from accounts.permissions import require
from common import idempotency, locks, rules
from common.errors import Refusals
from common.money import quantize_amount
from common.numbers import parse_id

from ..errors import ConflictError, OrderError, PermissionDeniedError, ValidationFailed
from ..models import Listing, OrderEvent, PurchaseOrder, PurchaseOrderLine
from .order_answers import order_accept, order_reject  # noqa: F401 - re-exported: callers use services.orders
from .order_lines import (
    LineInput,
    build_line,
    check_distributor_for,
    parse_lines,
    raw_listing_ids,
    renumber_line_field,
    share_lock_listings,
)
from .order_steps import (
    check_version,
    lock_order,
    move,
    new_event,
    number_before_insert,
    parse_count,
    reason_text,
    record_event,
    remarks_text,
    require_hospital_user,
    require_reason,
    require_state,
)
from .orderability import check_buyer_may_order, check_distributor, check_listing_orderable, unmet_commitments

S = PurchaseOrder.Status
IDEMPOTENCY_KEY_MAX = PurchaseOrder._meta.get_field("idempotency_key").max_length

# --- creating an order -------------------------------------------------------------------------------------------------


def _resolve_parties(by, hospital, distributor) -> tuple[Organization, Organization]:
    """The user's hospital (with its region, for the authorisations) and the distributor, in one query."""
    require(by, "order.place")
    if hospital is not None:
        hospital_id = hospital.pk if isinstance(hospital, Organization) else hospital
        if hospital_id != by.organization_id:
            raise PermissionDeniedError(gettext("只能为本机构下单"), field="hospital", code=OrderError.NOT_OWN_HOSPITAL)
    wanted = [by.organization_id]
    if distributor is not None and not isinstance(distributor, Organization):
        distributor = parse_id(distributor, field="distributor", label=gettext_lazy("配送企业"))
        wanted.append(distributor)
    found = Organization.objects.select_related("region").order_by().in_bulk(wanted)
    own = found[by.organization_id]
    if own.kind not in (Organization.Kind.HOSPITAL, Organization.Kind.PHARMACY):
        raise PermissionDeniedError(
            gettext("只有医疗机构和定点零售药店可以下单"), field="hospital", code=OrderError.NOT_A_BUYER
        )
    if not isinstance(distributor, Organization):
        distributor = found.get(distributor) if distributor else None
    if distributor is None or distributor.kind != Organization.Kind.DISTRIBUTOR or not distributor.is_active:
        raise ValidationFailed(
            gettext("请选择有效的配送企业"), field="distributor", code=OrderError.DISTRIBUTOR_INVALID
        )
    return own, distributor


def _replay(existing: PurchaseOrder, fingerprint: str) -> PurchaseOrder:
    idempotency.ensure_same(existing.idempotency_fingerprint, fingerprint)
    existing.replayed = True
    return existing


@transaction.atomic
def order_create(
    *,
    by,
    distributor,
    lines,
    hospital=None,
    urgent: bool = False,
    remarks: str = "",
    idempotency_key: str = "",
    submit: bool = False,
) -> PurchaseOrder:
    """Create an order for the user's hospital (a draft, or submitted at once with `submit=True`).

    With an idempotency key (common.idempotency), a retry of the same request returns the order the key first
    created, with `replayed = True`; the key used for a different request is refused (422), and while the first
    request still runs, 409. Nothing is written when any line is refused. The order is written once, in its final
    state (lines, totals, submission), then numbered; its lines and events follow.
    """
    hospital, distributor = _resolve_parties(by, hospital, distributor)
    key = (idempotency_key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationFailed(
            gettext("幂等键最长 %(max)s 个字符") % {"max": IDEMPOTENCY_KEY_MAX},
            field="idempotency_key",
            code=OrderError.IDEMPOTENCY_KEY_TOO_LONG,
        )
    fingerprint = ""
    if key:
        # the key's lock first: a twin still running answers 409; once held, a finished twin's order is visible
        idempotency.hold(f"order:{hospital.pk}", key)
        fingerprint = idempotency.fingerprint(
            operation="order.create",
            user_id=by.pk,
            body={
                "hospital": hospital.pk,
                "distributor": distributor.pk,
                "lines": lines,
                "urgent": bool(urgent),
                "remarks": remarks,
                "submit": bool(submit),
            },
        )
        # `.exclude(idempotency_key="")` repeats the partial unique index's condition: a generic prepared plan
        # (parameters unknown) may then use that index instead of reading every order of the hospital
        # only what the check compares: a replay is answered from the order read again as its reader sees it
        existing = (
            PurchaseOrder.objects.filter(hospital=hospital, idempotency_key=key)
            .exclude(idempotency_key="")
            .only("idempotency_fingerprint")
            .first()
        )
        if existing is not None:
            return _replay(existing, fingerprint)
    if submit:
        share_lock_listings(raw_listing_ids(lines))  # before the listings are read: their prices are frozen below
    return _write_new_order(
        by=by,
        hospital=hospital,
        distributor=distributor,
        lines=lines,
        urgent=urgent,
        remarks=remarks,
        key=key,
        fingerprint=fingerprint,
        submit=submit,
    )


def _write_new_order(*, by, hospital, distributor, lines, urgent, remarks, key, fingerprint, submit) -> PurchaseOrder:
    now = timezone.now()
    today = timezone.localdate(now)
    items = parse_lines(lines, on=today, parties=(hospital, distributor))
    check_distributor_for(hospital, distributor, items, on=today)
    order = PurchaseOrder(
        hospital=hospital,
        distributor=distributor,
        urgent=bool(urgent),
        hospital_remarks=remarks_text(remarks),
        idempotency_key=key,
        idempotency_fingerprint=fingerprint,
        created_by=by,
    )
    committed = [i.listing.product for i in items if i.listing.committed]
    substitutions = unmet_commitments(hospital_id=hospital.pk, products=committed, on=today) if committed else {}
    built = [
        build_line(order, n, item, substitutions.get(item.listing.product_id), now if submit else None)
        for n, item in enumerate(items, start=1)
    ]
    order.total_amount = sum((line.amount for line in built), Decimal("0.00"))
    order.line_count = len(built)
    events = [new_event(order, "created", by=by, to_status=S.DRAFT, data={"lines": len(items), "idempotency_key": key})]
    if submit:
        events.append(_mark_submitted(order, by=by, now=now))
    number_before_insert(order, "PO")
    order.save(force_insert=True)
    PurchaseOrderLine.objects.bulk_create(built)
    OrderEvent.objects.bulk_create(events)
    order.replayed = False
    order.new_lines = built  # the lines just written, for whoever renders the new order (saves reading them back)
    return order


# --- drafts (the cart) ----------------------------------------------------------------------------------------------


def _refresh_totals(order: PurchaseOrder) -> None:
    agg = order.lines.aggregate(total=Sum("amount"), n=Count("pk"))
    order.total_amount = agg["total"] or Decimal("0.00")
    order.line_count = agg["n"]
    order.save(update_fields=["total_amount", "line_count", "updated_at"])


@transaction.atomic
def cart_add(*, by, listing: Listing, distributor, packs) -> PurchaseOrder:
    """Add a listing to the hospital's draft order for the distributor (the cart), creating the draft if needed;
    adding a listing already in the cart adds to its quantity."""
    hospital, distributor = _resolve_parties(by, None, distributor)
    packs = parse_count(packs, field="packs", label=gettext_lazy("采购数量"))
    today = timezone.localdate()
    listing = Listing.objects.select_related("product", "manufacturer").get(pk=listing.pk)
    check_listing_orderable(listing, on=today, field="listing")
    check_buyer_may_order(hospital, listing, on=today, field="listing")
    check_distributor(hospital, distributor, [listing], on=today)
    # One draft per hospital × distributor: any draft counts, also one created through the API with an idempotency key
    # (ignoring those made the cart open a second draft for the same distributor), and two first additions at once
    # wait for each other here, where there is no draft row yet to lock.
    locks.wait_in_transaction(f"cart:{hospital.pk}:{distributor.pk}")
    draft = (
        PurchaseOrder.objects.select_for_update()
        .filter(hospital=hospital, distributor=distributor, status=S.DRAFT)
        .order_by("pk")
        .first()
    )
    if draft is None:
        return order_create(by=by, distributor=distributor, lines=[{"listing": listing, "packs": packs}])
    line = draft.lines.filter(listing=listing).first()
    if line is not None:
        line.packs += packs
        line.min_units = line.packs * line.pack_size
        line.amount = quantize_amount(line.unit_price * line.min_units)
        line.save(update_fields=["packs", "min_units", "amount"])
    else:
        _add_line(draft, listing, packs, hospital=hospital, on=today)
    _refresh_totals(draft)
    draft.version += 1
    draft.save(update_fields=["version"])
    record_event(draft, "line_added", by=by, data={"listing": listing.pk, "packs": packs})
    return draft


def _add_line(draft: PurchaseOrder, listing: Listing, packs: int, *, hospital, on: date) -> None:
    sub = unmet_commitments(hospital_id=hospital.pk, products=[listing.product], on=on).get(listing.product_id)
    next_no = (draft.lines.order_by("-line_no").values_list("line_no", flat=True).first() or 0) + 1
    max_lines = rules.orders().max_lines
    if next_no > max_lines:
        raise ValidationFailed(
            gettext("一张订单最多 %(max_lines)s 个品规") % {"max_lines": max_lines},
            field="lines",
            code=OrderError.TOO_MANY_LINES,
        )
    build_line(draft, next_no, LineInput(listing=listing, packs=packs), sub).save()


@transaction.atomic
def order_update_draft(
    *, order: PurchaseOrder, by, lines=None, urgent: bool | None = None, remarks: str | None = None, version=None
) -> PurchaseOrder:
    """Replace a draft's lines (packs 0 drops a line) and/or its urgency and remarks."""
    order = lock_order(order)
    require_hospital_user(order, by, "order.place")
    check_version(order, version)
    require_state(order, (S.DRAFT,), pgettext("订单操作", "修改"))
    found = Refusals()  # the lines and the remarks, all their wrong inputs at once
    items = None
    today = timezone.localdate()
    if lines is not None:
        dropped = [isinstance(item, dict) and str(item.get("packs")).strip() == "0" for item in lines]
        kept = [item for item, drop in zip(lines, dropped, strict=True) if not drop]
        with found.check():
            try:
                items = parse_lines(kept, on=today, buyer=order.hospital)
            except ValidationFailed as exc:
                # the refusals name the kept lines; the caller's inputs are its own lines, dropped ones included
                positions = [i for i, drop in enumerate(dropped) if not drop]
                for error in exc.all_errors:
                    error.field = renumber_line_field(error.field, positions)
                raise
    if remarks is not None:
        with found.check():
            remarks = remarks_text(remarks)
    found.raise_any()
    if items is not None:
        check_distributor_for(order.hospital, order.distributor, items, on=today)
        subs = unmet_commitments(hospital_id=order.hospital_id, products=[i.listing.product for i in items], on=today)
        order.lines.all().delete()
        PurchaseOrderLine.objects.bulk_create(
            [build_line(order, n, item, subs.get(item.listing.product_id)) for n, item in enumerate(items, start=1)]
        )
        _refresh_totals(order)
    if urgent is not None:
        order.urgent = bool(urgent)
    if remarks is not None:
        order.hospital_remarks = remarks
    order.version += 1
    order.save(update_fields=["urgent", "hospital_remarks", "version", "updated_at"])
    record_event(order, "draft_updated", by=by, data={"lines": order.line_count})
    return order


# --- submission --------------------------------------------------------------------------------------------


def _check_submittable(order: PurchaseOrder, lines: list[PurchaseOrderLine], *, on: date) -> dict[int, Listing]:
    """The order's listings, held by the share lock, each still orderable through the order's distributor."""
    if not lines:
        raise ValidationFailed(gettext("订单没有明细，不能提交"), field="lines", code=OrderError.LINES_REQUIRED)
    if not order.distributor.is_active:
        raise ValidationFailed(
            gettext("配送企业“%(name)s”已停用，请改选其他配送企业") % {"name": order.distributor.name},
            field="distributor",
            code=OrderError.DISTRIBUTOR_INACTIVE,
        )
    listing_ids = sorted({line.listing_id for line in lines})
    share_lock_listings(listing_ids)
    listings = Listing.objects.select_related("product", "manufacturer").in_bulk(listing_ids)
    ordered = [listings[line.listing_id] for line in lines]
    for i, listing in enumerate(ordered):
        check_listing_orderable(listing, on=on, field=f"lines[{i}].listing")
        check_buyer_may_order(order.hospital, listing, on=on, field=f"lines[{i}].listing")
    check_distributor(
        order.hospital, order.distributor, ordered, on=on, fields=[f"lines[{n}].listing" for n in range(len(ordered))]
    )
    return listings


def _submit(order: PurchaseOrder, *, by) -> None:
    """Freeze prices from the listings (held with a share lock) and start the distributor's deadlines."""
    now = timezone.now()
    lines = list(order.lines.order_by("line_no"))
    listings = _check_submittable(order, lines, on=timezone.localdate(now))
    to_update = []
    for line in lines:
        listing = listings[line.listing_id]
        if (line.unit_price, line.pack_price) != (listing.unit_price, listing.pack_price):
            line.unit_price, line.pack_price = listing.unit_price, listing.pack_price
            line.amount = quantize_amount(listing.unit_price * line.min_units)
            to_update.append(line)
    PurchaseOrderLine.objects.filter(pk__in=[line.pk for line in lines]).update(price_frozen_at=now)
    if to_update:
        PurchaseOrderLine.objects.bulk_update(to_update, ["unit_price", "pack_price", "amount"])
    order.total_amount = sum((line.amount for line in lines), Decimal("0.00"))
    event = _mark_submitted(order, by=by, now=now)
    order.save(
        update_fields=[
            "status",
            "version",
            "updated_at",
            "total_amount",
            "submitted_at",
            "submitted_by",
            "response_due_at",
            "delivery_due_at",
            "listing_flag",
            "listing_flag_reason",
        ]
    )
    event.save()


def _mark_submitted(order: PurchaseOrder, *, by, now: datetime) -> OrderEvent:
    """The submission on the order in memory (FSM transition, deadlines, new version); returns its event, unsaved."""
    deadlines = rules.orders()
    order.submitted_at, order.submitted_by = now, by
    order.response_due_at = now + timedelta(hours=deadlines.response_hours)
    hours = deadlines.urgent_delivery_hours if order.urgent else deadlines.delivery_hours
    order.delivery_due_at = now + timedelta(hours=hours)
    order.listing_flag, order.listing_flag_reason = False, ""
    previous = order.status
    order.submit()
    order.version += 1
    return new_event(
        order,
        S.SUBMITTED,
        by=by,
        from_status=previous,
        to_status=S.SUBMITTED,
        data={"total_amount": str(order.total_amount)},
    )


@transaction.atomic
def order_submit(*, order: PurchaseOrder, by, version=None) -> PurchaseOrder:
    # Listings before the order, the same order as listing suspensions and price changes take their locks in.
    share_lock_listings(PurchaseOrderLine.objects.filter(order_id=order.pk).values_list("listing_id", flat=True))
    order = lock_order(order)
    require_hospital_user(order, by, "order.place")
    if order.status == S.SUBMITTED and version is None and order.submitted_by_id == by.pk:
        return order  # a retried submit of the same order: nothing more to do
    check_version(order, version)
    require_state(order, (S.DRAFT,), pgettext("订单操作", "提交"))
    _submit(order, by=by)
    return order


@transaction.atomic
def order_cancel(*, order: PurchaseOrder, by, reason: str = "", version=None) -> PurchaseOrder:
    """The hospital cancels before anything is shipped (a submitted or accepted order needs a reason)."""
    order = lock_order(order)
    require_hospital_user(order, by, "order.place")
    check_version(order, version)
    require_state(order, PurchaseOrder.CANCELLABLE_STATUSES, pgettext("订单操作", "撤销（已配送的订单不能撤销）"))
    reason = (reason or "").strip()
    if order.status != S.DRAFT:
        reason = require_reason(reason, gettext("撤销已提交的订单必须填写原因"))
    order.cancelled_at, order.cancel_reason = timezone.now(), reason_text(reason)
    move(order, S.CANCELLED, by=by, reason=reason, fields=["cancelled_at", "cancel_reason"])
    return order


@transaction.atomic
def order_remark(*, order: PurchaseOrder, by, remarks: str, version=None) -> PurchaseOrder:
    """Remarks both ways: the hospital's or the distributor's, whichever side the user is on."""
    order = lock_order(order)
    check_version(order, version)
    if by.organization_id == order.hospital_id:
        require(by, "order.place")
        order.hospital_remarks, field = remarks_text(remarks), "hospital_remarks"
    elif by.organization_id == order.distributor_id:
        require(by, "order.fulfil")
        order.distributor_remarks, field = remarks_text(remarks), "distributor_remarks"
    else:
        raise PermissionDeniedError(gettext("只能为本机构的订单填写备注"), code=OrderError.NOT_OWN_ORDER)
    order.version += 1
    order.save(update_fields=[field, "version", "updated_at"])
    record_event(order, "remarks", by=by, reason=remarks)
    return order


@transaction.atomic
def order_close(*, order: PurchaseOrder, by, reason: str = "", version=None) -> PurchaseOrder:
    """完结: after full receipt; earlier (short supply accepted) only with a reason and no delivery awaiting receipt."""
    order = lock_order(order)
    require_hospital_user(order, by, "order.receive")
    check_version(order, version)
    require_state(
        order, (S.RECEIVED, S.PARTIALLY_RECEIVED, S.PARTIALLY_SHIPPED, S.SHIPPED), pgettext("订单操作", "完结")
    )
    reason = (reason or "").strip()
    if order.deliveries.filter(received=False).exists():
        raise ConflictError(
            gettext("仍有未验收的配送单，请先验收"), field="status", code=OrderError.DELIVERY_AWAITING_RECEIPT
        )
    if order.status != S.RECEIVED:
        reason = require_reason(reason, gettext("订单未全部到货，提前完结必须填写原因"))
    order.closed_at, order.close_reason = timezone.now(), reason_text(reason)
    move(order, S.CLOSED, by=by, reason=reason, fields=["closed_at", "close_reason"])
    return order


# --- deadlines ----------------------------------------------------------------------------------------------------


def orders_flag_overdue(*, now: datetime | None = None) -> dict[str, int]:
    """Set the overdue flags of orders whose distributor missed the response or delivery deadline (two set-based
    updates; safe to run any number of times)."""
    now = now or timezone.now()
    responded = PurchaseOrder.objects.filter(
        status=S.SUBMITTED, response_due_at__lt=now, response_overdue=False
    ).update(response_overdue=True)
    delivered = PurchaseOrder.objects.filter(
        status__in=(S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_SHIPPED), delivery_due_at__lt=now, delivery_overdue=False
    ).update(delivery_overdue=True)
    return {"response_overdue": responded, "delivery_overdue": delivered}
