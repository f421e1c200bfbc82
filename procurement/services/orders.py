"""Online orders (挂网阳光采购): draft (cart) → submitted → accepted | rejected → shipped → received → closed.

Every step locks the order row (select_for_update, then dependent rows in pk order), checks the state and the
actor's organisation, makes the FSM transition and writes an `OrderEvent`. A client may pass the `version` it last
read: a step on a stale copy is refused with a conflict instead of silently acting on changed data. Two users
acting at once are serialised by the row lock; the second sees the new state and gets a clear conflict.

Prices follow the listing while the order is a draft and are frozen on the lines at submission. Receipts and
returns copy hospital, product, manufacturer, listing, award, date, minimum units, unit price and amount onto their
lines, and call `procurement.hooks` after commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, BooleanField, Count, F, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext

from accounts.models import Organization, Region
from accounts.permissions import require
from catalog.models import Product
from common import idempotency
from common.money import quantize_amount
from common.numbers import integer_range, parse_id, parse_int
from common.rows import Columns, read_by_id
from common.text import check_text

from .. import hooks
from ..errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from ..models import (
    Award,
    Commitment,
    Delivery,
    DeliveryLine,
    DistributionAuthorization,
    GoodsReturn,
    GoodsReturnLine,
    Listing,
    Lot,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    SupplyClass,
)

S = PurchaseOrder.Status

TRANSITIONS = {
    S.SUBMITTED: "submit",
    S.ACCEPTED: "accept",
    S.REJECTED: "reject",
    S.PARTIALLY_SHIPPED: "ship_partly",
    S.SHIPPED: "ship_fully",
    S.PARTIALLY_RECEIVED: "receive_partly",
    S.RECEIVED: "receive_fully",
    S.CLOSED: "close",
    S.CANCELLED: "cancel",
}


# --- small parsers -----------------------------------------------------------------------------------------------


_PACKS = PurchaseOrderLine._meta.get_field("packs")


def parse_count(value, *, field: str, label: str = gettext_lazy("数量"), allow_zero: bool = False) -> int:
    """A whole number of packs (common.numbers: ASCII digits, an int or an integral JSON number, never a bool, float
    or fraction) that a packs column holds; > 0 unless allow_zero."""
    value = parse_int(value, field=field, label=label, max_value=integer_range(_PACKS)[1])
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationFailed(
            gettext("%(label)s必须大于零") % {"label": label}
            if not allow_zero
            else gettext("%(label)s不能为负数") % {"label": label},
            field=field,
        )
    return value


# An order's remarks are free text (TextField) bounded here; reasons and the remarks of deliveries, receipts and lines
# fill 300-character columns. Longer text is refused, naming the limit, never cut (common.text).
REMARKS_MAX = 2000
SHORT_TEXT_MAX = 300
_LINE_REMARKS_MAX = PurchaseOrderLine._meta.get_field("remarks").max_length


def _remarks(remarks: str, *, field: str = "remarks") -> str:
    return check_text(remarks or "", field=field, label=gettext_lazy("备注"), max_length=REMARKS_MAX)


def _reason(reason: str, *, field: str = "reason") -> str:
    return check_text(reason or "", field=field, label=gettext_lazy("原因"), max_length=SHORT_TEXT_MAX)


def _short(text: str, *, field: str, label, max_length: int = SHORT_TEXT_MAX) -> str:
    return check_text(text or "", field=field, label=label, max_length=max_length)


def supply_class_of(product) -> str:
    if product.category != "consumable":
        return SupplyClass.DRUG
    return SupplyClass.HIGH_VALUE_CONSUMABLE if product.high_value else SupplyClass.OTHER_CONSUMABLE


# --- locking, events, transitions ----------------------------------------------------------------------------------


def _lock(order: PurchaseOrder | int) -> PurchaseOrder:
    pk = order if isinstance(order, int) else order.pk
    try:
        return PurchaseOrder.objects.select_for_update().get(pk=pk)
    except PurchaseOrder.DoesNotExist:
        raise NotFoundError(gettext("订单不存在")) from None


def _check_version(order: PurchaseOrder, version) -> None:
    if version in (None, ""):
        return
    expected = parse_int(
        version, field="version", label=gettext_lazy("版本号"), column=PurchaseOrder._meta.get_field("version")
    )
    if expected != order.version:
        raise ConflictError(
            gettext("订单 %(value)s 已被他人修改（当前状态：%(status)s），请刷新后重试")
            % {"value": order.number or order.pk, "status": order.get_status_display()},
            field="version",
            code="stale",
        )


def _event(
    order: PurchaseOrder,
    action: str,
    *,
    by,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=by if getattr(by, "pk", None) else None,
        organization_id=getattr(by, "organization_id", None),
        reason=reason or "",
        data=data or {},
    )


def _move(
    order: PurchaseOrder,
    to: str,
    *,
    by,
    fields: list[str],
    reason: str = "",
    data: dict | None = None,
    action: str | None = None,
) -> None:
    """FSM transition (refuses a wrong source state), save with a new version, and the event row."""
    previous = order.status
    getattr(order, TRANSITIONS[to])()
    order.version += 1
    order.save(update_fields=["status", "version", "updated_at", *fields])
    _event(order, action or to, by=by, from_status=previous, to_status=to, reason=reason, data=data)


def _require_state(order: PurchaseOrder, allowed, what: str) -> None:
    if order.status not in allowed:
        raise ConflictError(
            gettext("订单 %(value)s 当前状态为“%(status)s”，不能%(what)s")
            % {"value": order.number or order.pk, "status": order.get_status_display(), "what": what},
            field="status",
        )


def _require_hospital_user(order: PurchaseOrder, by, capability: str) -> None:
    require(by, capability)
    if by.organization_id != order.hospital_id:
        raise PermissionDeniedError(gettext("只能操作本机构的订单"))


def _require_distributor_user(order: PurchaseOrder, by) -> None:
    require(by, "order.fulfil")
    if by.organization_id != order.distributor_id:
        raise PermissionDeniedError(gettext("只能处理配送给本企业的订单"))


def _number(obj, prefix: str) -> str:
    return f"{prefix}{timezone.localdate().strftime('%Y%m%d')}{obj.pk:08d}"


def _assign_number(obj, prefix: str) -> None:
    obj.number = _number(obj, prefix)
    type(obj).objects.filter(pk=obj.pk).update(number=obj.number)


# --- what may be ordered, from whom ----------------------------------------------------------------------------------


def _pooling_region_ids(hospital: Organization) -> list[int]:
    region = hospital.region
    if region is None:
        return []
    return [region.pk] + ([region.parent_id] if region.parent_id else [])


def authorized_distributor_ids(*, hospital: Organization, listing: Listing, on: date) -> set[int]:
    """Distributors the listing's manufacturer authorises for the product in the hospital's region on `on`."""
    return set(
        DistributionAuthorization.objects.filter(
            product_id=listing.product_id,
            manufacturer_id=listing.manufacturer_id,
            is_active=True,
            valid_from__lte=on,
            regions__in=_pooling_region_ids(hospital),
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("distributor_id", flat=True)
    )


def _check_listing_orderable(listing: Listing, *, on: date, field: str) -> None:
    name = listing.product.generic_name
    if listing.status == Listing.Status.SUSPENDED:
        raise ValidationFailed(
            gettext("%(name)s 已暂停挂网，不能采购（%(status_reason)s）")
            % {"name": name, "status_reason": listing.status_reason},
            field=field,
        )
    if listing.status == Listing.Status.WITHDRAWN:
        raise ValidationFailed(gettext("%(name)s 已撤网，不能采购") % {"name": name}, field=field)
    if listing.valid_from > on:
        raise ValidationFailed(
            gettext("%(name)s 的挂网自 %(valid_from)s 起生效，尚不能采购")
            % {"name": name, "valid_from": listing.valid_from},
            field=field,
        )
    if listing.valid_to is not None and listing.valid_to < on:
        raise ValidationFailed(
            gettext("%(name)s 的挂网已于 %(valid_to)s 到期，不能采购") % {"name": name, "valid_to": listing.valid_to},
            field=field,
        )
    if not listing.product.is_active:
        raise ValidationFailed(gettext("%(name)s 已停用，不能采购") % {"name": name}, field=field)


def _authorisation_filter(hospital: Organization, distributor, *, on: date) -> Q:
    return Q(distributor=distributor, is_active=True, valid_from__lte=on, regions__in=_pooling_region_ids(hospital)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def _orderability(hospital: Organization, distributor: Organization, *, on: date) -> dict[str, RawSQL]:
    """Annotations of a listing query (listings joined to their products) for `_parse_lines`: `authorised` — the
    distributor holds an authorisation of the listing's manufacturer for its product valid on `on` in the hospital's
    pooling regions (what `_authorisation_filter` says) — and `committed` — the hospital has a commitment in its cycle
    on `on` for a lot of the product's generic name. Plain SQL: as ORM subqueries they cost more to build on every
    order than the rest of reading the listings."""
    qn = connection.ops.quote_name
    listing, product = qn(Listing._meta.db_table), qn(Product._meta.db_table)
    auth, through = DistributionAuthorization._meta.db_table, DistributionAuthorization.regions.through._meta.db_table
    day = connection.ops.adapt_datefield_value(on)
    regions = _pooling_region_ids(hospital)
    in_regions = f"r.region_id IN ({', '.join(['%s'] * len(regions))})" if regions else "1 = 0"
    authorised = RawSQL(
        f"EXISTS (SELECT 1 FROM {qn(auth)} a JOIN {qn(through)} r ON r.distributionauthorization_id = a.id "
        f"WHERE a.distributor_id = %s AND a.is_active AND a.valid_from <= %s AND (a.valid_to IS NULL OR "
        f"a.valid_to >= %s) AND {in_regions} AND a.product_id = {listing}.product_id "
        f"AND a.manufacturer_id = {listing}.manufacturer_id)",
        [distributor.pk, day, day, *regions],
        output_field=BooleanField(),
    )
    committed = RawSQL(
        f"EXISTS (SELECT 1 FROM {qn(Commitment._meta.db_table)} c JOIN {qn(Lot._meta.db_table)} t ON t.id = c.lot_id "
        f"WHERE c.hospital_id = %s AND t.generic_name = {product}.generic_name AND c.cycle_start <= %s "
        f"AND c.cycle_end >= %s)",
        [hospital.pk, day, day],
        output_field=BooleanField(),
    )
    return {"authorised": authorised, "committed": committed}


def _check_distributor(
    hospital: Organization,
    distributor: Organization,
    listings: list[Listing],
    *,
    on: date,
    fields: list[str] | None = None,
) -> None:
    """Every listing must be covered by an authorisation of its manufacturer for this distributor in the hospital's
    region on `on` (one query for all of them, or none when the listings were read with `authorised` annotated by
    `_parse_lines`)."""
    if all(hasattr(listing, "authorised") for listing in listings):
        authorised = {(x.product_id, x.manufacturer_id) for x in listings if x.authorised}
    else:
        authorised = set(
            DistributionAuthorization.objects.filter(
                _authorisation_filter(hospital, distributor, on=on),
                product_id__in={x.product_id for x in listings},
            ).values_list("product_id", "manufacturer_id")
        )
    for i, listing in enumerate(listings):
        if (listing.product_id, listing.manufacturer_id) not in authorised:
            suspended = (
                DistributionAuthorization.objects.filter(
                    distributor=distributor,
                    product_id=listing.product_id,
                    manufacturer_id=listing.manufacturer_id,
                    is_active=False,
                    valid_from__lte=on,
                    regions__in=_pooling_region_ids(hospital),
                )
                .exclude(suspended_reason="")
                .values_list("suspended_reason", flat=True)
                .first()
            )
            if suspended:
                raise ValidationFailed(
                    gettext("%(name)s 配送 %(generic_name)s 的授权已暂停（%(suspended)s），不能经其采购")
                    % {"name": distributor.name, "generic_name": listing.product.generic_name, "suspended": suspended},
                    field=fields[i] if fields else "distributor",
                )
            raise ValidationFailed(
                gettext("%(name)s 未获 %(name2)s 授权在本地区配送 %(generic_name)s")
                % {
                    "name": distributor.name,
                    "name2": listing.manufacturer.name,
                    "generic_name": listing.product.generic_name,
                },
                field=fields[i] if fields else "distributor",
            )


def _lot_matches(lot, product) -> bool:
    if lot.generic_name != product.generic_name:
        return False
    return not lot.dosage_forms or product.dosage_form in lot.dosage_forms


def unmet_commitments(*, hospital_id: int, products, on: date) -> dict[int, Commitment]:
    """For each ordered product that is NOT a selected product of the lot of one of the hospital's commitments, the hospital's
    commitment that is still unmet on `on` (received − returned < agreed volume), if any — the substitution."""
    products = list(products)
    names = {p.generic_name for p in products}
    commitments = list(
        Commitment.objects.filter(
            hospital_id=hospital_id, lot__generic_name__in=names, cycle_start__lte=on, cycle_end__gte=on
        ).select_related("lot", "product")
    )
    if not commitments:
        return {}
    purchased = _net_received_min_units(hospital_id, commitments)
    selected = set(Award.objects.filter(lot_id__in={c.lot_id for c in commitments}).values_list("lot_id", "product_id"))
    result: dict[int, Commitment] = {}
    for product in products:
        for c in commitments:
            if (c.lot_id, product.pk) in selected or not _lot_matches(c.lot, product):
                continue  # a selected product of the lot (any winner) is no substitution
            if purchased.get(c.pk, 0) < c.agreed_volume:
                result[product.pk] = c
                break
    return result


def _net_received_min_units(hospital_id: int, commitments: list[Commitment]) -> dict[int, int]:
    result = {}
    for c in commitments:
        received = (
            ReceiptLine.objects.filter(
                hospital_id=hospital_id, product_id=c.product_id, received_on__range=(c.cycle_start, c.cycle_end)
            ).aggregate(n=Sum("accepted_min_units"))["n"]
            or 0
        )
        returned = (
            GoodsReturnLine.objects.filter(
                hospital_id=hospital_id, product_id=c.product_id, returned_on__range=(c.cycle_start, c.cycle_end)
            ).aggregate(n=Sum("min_units"))["n"]
            or 0
        )
        result[c.pk] = received - returned
    return result


# --- drafts (the cart) ----------------------------------------------------------------------------------------------


# What an order reads of its listings (all of it) and of their products: only what ordering uses (names and code,
# pack size, state, dosage form for the substitution rule); the product's other columns (registration, insurance,
# search text) would be most of the row. The manufacturer is read only for an error message.
_LISTING_COLUMNS = Columns(Listing)
_PRODUCT_COLUMNS = Columns(
    Product, ("generic_name", "nhsa_code", "specification", "pack_size", "is_active", "dosage_form")
)
_ORGANIZATION_COLUMNS = Columns(Organization)
_REGION_COLUMNS = Columns(Region)


@dataclass
class LineInput:
    listing: Listing
    packs: int
    remarks: str = ""


def _parse_lines(items, *, on: date, max_lines: int | None = None, parties: tuple | None = None) -> list[LineInput]:
    """[{"listing": id or Listing, "packs": n, "remarks": ""}] → checked LineInputs (listings fetched in one query).
    With `parties` (hospital, distributor) each listing comes with `authorised`: whether the distributor may deliver
    it to the hospital on `on` (what `_check_distributor` then checks without another query) and `committed`: whether
    the hospital has a commitment in its cycle for the product's generic name (only then can the substitution rule
    apply)."""
    if not isinstance(items, (list, tuple)) or not items:
        raise ValidationFailed(gettext("订单至少需要一个品规"), field="lines")
    max_lines = max_lines or settings.ORDER_MAX_LINES
    if len(items) > max_lines:
        raise ValidationFailed(gettext("一张订单最多 %(max_lines)s 个品规") % {"max_lines": max_lines}, field="lines")
    ids = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValidationFailed(gettext("订单明细格式错误"), field=f"lines[{i}]")
        raw = item.get("listing")
        ids.append(
            raw.pk
            if isinstance(raw, Listing)
            else parse_id(raw, field=f"lines[{i}].listing", label=gettext_lazy("挂网编号"))
        )
    listings = read_by_id(
        _LISTING_COLUMNS,
        ids,
        related=("product", _PRODUCT_COLUMNS),
        extra=_orderability(*parties, on=on) if parties is not None else None,
    )
    seen: dict[int, int] = {}
    result = []
    for i, (item, listing_id) in enumerate(zip(items, ids, strict=True)):
        field = f"lines[{i}]"
        listing = listings.get(listing_id)
        if listing is None:
            raise ValidationFailed(
                gettext("挂网产品 %(listing_id)s 不存在") % {"listing_id": listing_id}, field=f"{field}.listing"
            )
        if listing_id in seen:
            raise ValidationFailed(
                gettext("%(generic_name)s 在第 %(value)s 行已出现，请合并数量")
                % {"generic_name": listing.product.generic_name, "value": seen[listing_id] + 1},
                field=f"{field}.listing",
            )
        seen[listing_id] = i
        packs = parse_count(item.get("packs"), field=f"{field}.packs", label=gettext_lazy("采购数量"))
        _check_listing_orderable(listing, on=on, field=f"{field}.listing")
        remarks = check_text(
            str(item.get("remarks") or ""),
            field=f"{field}.remarks",
            label=gettext_lazy("备注"),
            max_length=_LINE_REMARKS_MAX,
        )
        result.append(LineInput(listing=listing, packs=packs, remarks=remarks))
    return result


def _build_line(
    order: PurchaseOrder,
    line_no: int,
    item: LineInput,
    substitution: Commitment | None,
    frozen_at: datetime | None = None,
) -> PurchaseOrderLine:
    listing = item.listing
    pack_size = listing.product.pack_size
    min_units = item.packs * pack_size
    return PurchaseOrderLine(
        order=order,
        line_no=line_no,
        listing=listing,
        product=listing.product,
        manufacturer_id=listing.manufacturer_id,
        award_id=listing.award_id,
        packs=item.packs,
        pack_size=pack_size,
        min_units=min_units,
        unit_price=listing.unit_price,
        pack_price=listing.pack_price,
        amount=quantize_amount(listing.unit_price * min_units),
        substitution_for=substitution,
        remarks=item.remarks,
        price_frozen_at=frozen_at,
    )


def _resolve_parties(
    by, hospital, distributor, *, idempotency_key: str = "", share_lock: list[int] | None = None
) -> tuple[Organization, Organization, int | None]:
    """The user's hospital (with its region) and the distributor in one query, which also answers whether the
    hospital already has an order with `idempotency_key` (its id, else None) and takes the share lock on the
    `share_lock` listings (see _share_lock_listings; the next statement then reads them as they are once held)."""
    require(by, "order.place")
    if hospital is not None:
        hospital_id = hospital.pk if isinstance(hospital, Organization) else hospital
        if hospital_id != by.organization_id:
            raise PermissionDeniedError(gettext("只能为本机构下单"), field="hospital")
    wanted = [by.organization_id]
    if distributor is not None and not isinstance(distributor, Organization):
        distributor = parse_id(distributor, field="distributor", label=gettext_lazy("配送企业"))
        if distributor:
            wanted.append(distributor)
    extra = {}
    if idempotency_key:
        # the key's lock first (columns are computed in order): a twin still running answers 409, not a replay
        extra["key_free"] = RawSQL(
            *idempotency.lock_sql(f"order:{by.organization_id}", idempotency_key), output_field=BooleanField()
        )
        extra["existing_order"] = RawSQL(
            f"(SELECT id FROM {PurchaseOrder._meta.db_table} WHERE hospital_id = %s AND idempotency_key = %s LIMIT 1)",
            [by.organization_id, idempotency_key],
            output_field=BigIntegerField(),
        )
    if share_lock:
        extra["listings_held"] = RawSQL(
            f"(SELECT count(*) FROM ({SHARE_LOCK_SQL}) AS held)", [share_lock], output_field=BigIntegerField()
        )
    # hand-written (common.rows): on every order the ORM spent longer building this query and the listings' than
    # the database took to run them
    found = read_by_id(_ORGANIZATION_COLUMNS, wanted, related=("region", _REGION_COLUMNS), extra=extra)
    own = found[by.organization_id]
    if not isinstance(distributor, Organization):
        distributor = found.get(distributor) if distributor else None
    if distributor is None or distributor.kind != Organization.Kind.DISTRIBUTOR or not distributor.is_active:
        raise ValidationFailed(gettext("请选择有效的配送企业"), field="distributor")
    if idempotency_key:
        idempotency.ensure_free(own.key_free)
    return own, distributor, getattr(own, "existing_order", None)


def _replay(fingerprint: str, **lookup) -> PurchaseOrder:
    existing = PurchaseOrder.objects.get(**lookup)
    idempotency.ensure_same(existing.idempotency_fingerprint, fingerprint)
    existing.replayed = True
    return existing


def _written_fields(model) -> list:
    """The fields a new order's rows are written with: all but the id, the number and the order, which the INSERT
    supplies."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in ("number", "order")]


def _json_rows(model, objs: list) -> tuple[list, str]:
    """The written fields of `objs` and the objects as a JSON array of {column: value} as Django would save them
    (pre_save: auto_now_add and the like), which `json_populate_recordset` types by the table's row type."""
    fields = _written_fields(model)
    rows = [{f.column: f.pre_save(obj, True) for f in fields} for obj in objs]
    return fields, json.dumps(rows, default=lambda v: v.isoformat() if isinstance(v, date) else str(v))  # Decimal


def _insert_json(model, fields: list, *, parent: str, parent_column: str) -> str:
    """INSERT INTO the model's table the rows of the JSON array parameter, each with the `parent` column given."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    return (
        f"INSERT INTO {table} ({parent_column}, {', '.join(qn(f.column) for f in fields)}) "
        f"SELECT {parent}, {', '.join('r.' + qn(f.column) for f in fields)} "
        f"FROM json_populate_recordset(NULL::{table}, %s::json) AS r"
    )


def _insert_order(order: PurchaseOrder, prefix: str, lines: list[PurchaseOrderLine], events: list[OrderEvent]) -> bool:
    """INSERT the new order with its number (prefix, local date, id), its lines and its events; with an idempotency
    key, `ON CONFLICT DO NOTHING` against the key's unique index: False when the hospital already has (or a
    concurrent transaction has just committed) an order with the key — nothing is written then.

    One statement, with the order, its lines and its events as three JSON parameters; the lines
    and events are inserted for the order row the INSERT returns (none when it returned none)."""
    qn = connection.ops.quote_name
    number_prefix = f"{prefix}{timezone.localdate().strftime('%Y%m%d')}"
    # the key's unique index is partial: the conflict target repeats its predicate
    conflict = f"ON CONFLICT ({qn('hospital_id')}, {qn('idempotency_key')}) WHERE NOT ({qn('idempotency_key')} = '') DO NOTHING"
    with connection.cursor() as cursor:
        order_fields, order_json = _json_rows(PurchaseOrder, [order])
        line_fields, lines_json = _json_rows(PurchaseOrderLine, lines)
        event_fields, events_json = _json_rows(OrderEvent, events)
        number = "%s::text || lpad(s.n::text, greatest(8, length(s.n::text)), '0')"
        cursor.execute(
            f"WITH s AS (SELECT nextval(pg_get_serial_sequence('{PurchaseOrder._meta.db_table}', 'id')) AS n), "
            f"o AS ({_insert_json(PurchaseOrder, order_fields, parent=f's.n, {number}', parent_column='id, number')}"
            f" CROSS JOIN s {conflict} RETURNING id, number), "
            f"l AS ({_insert_json(PurchaseOrderLine, line_fields, parent='o.id', parent_column='order_id')}"
            f" CROSS JOIN o RETURNING id, line_no), "
            f"e AS ({_insert_json(OrderEvent, event_fields, parent='o.id', parent_column='order_id')} CROSS JOIN o) "
            f"SELECT id, number, (SELECT array_agg(id ORDER BY line_no) FROM l) FROM o",
            [number_prefix, order_json, lines_json, events_json],
        )
        row = cursor.fetchone()
        if row is None:
            return False
        order.pk, order.number, line_ids = row
        for line, pk in zip(lines, line_ids, strict=True):
            line.pk = pk
        for child in (*lines, *events):
            child.order_id = order.pk
            child._state.adding, child._state.db = False, connection.alias
    order._state.adding, order._state.db = False, connection.alias
    return True


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
    state (lines, totals, number, submission), followed by its lines and events.
    """
    key = (idempotency_key or "").strip()
    # a submission holds the listings before reading their prices (see _share_lock_listings)
    hospital, distributor, existing = _resolve_parties(
        by,
        hospital,
        distributor,
        idempotency_key=key if len(key) <= 100 else "",
        share_lock=_raw_listing_ids(lines) if submit else None,
    )
    if len(key) > 100:
        raise ValidationFailed(gettext("幂等键最长 100 个字符"), field="idempotency_key")
    fingerprint = ""
    if key:
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
    if existing is not None:
        return _replay(fingerprint, pk=existing)
    now = timezone.now()
    today = timezone.localdate(now)
    items = _parse_lines(lines, on=today, parties=(hospital, distributor))
    _check_distributor(
        hospital,
        distributor,
        [i.listing for i in items],
        on=today,
        fields=[f"lines[{n}].listing" for n in range(len(items))],
    )
    order = PurchaseOrder(
        hospital=hospital,
        distributor=distributor,
        urgent=bool(urgent),
        hospital_remarks=_remarks(remarks),
        idempotency_key=key,
        idempotency_fingerprint=fingerprint,
        created_by=by,
    )
    committed = [i.listing.product for i in items if i.listing.committed]
    substitutions = unmet_commitments(hospital_id=hospital.pk, products=committed, on=today) if committed else {}
    # submitted at once: the listings were read under the share lock above, their prices are the ones to freeze
    built = [
        _build_line(order, n, item, substitutions.get(item.listing.product_id), now if submit else None)
        for n, item in enumerate(items, start=1)
    ]
    order.total_amount = sum((line.amount for line in built), Decimal("0.00"))
    order.line_count = len(built)
    events = [
        OrderEvent(
            order=order,
            action="created",
            to_status=S.DRAFT,
            actor=by,
            organization_id=by.organization_id,
            data={"lines": len(items), "idempotency_key": key},
        )
    ]
    if submit:
        events.append(_mark_submitted(order, by=by, now=now))
    if not _insert_order(order, "PO", built, events):  # a concurrent twin with the same key committed first
        return _replay(fingerprint, hospital=hospital, idempotency_key=key)
    order.replayed = False
    order.new_lines = built  # the lines just written, for whoever renders the new order (saves reading them back)
    return order


def _raw_listing_ids(lines) -> list[int]:
    """Listing ids named in raw order lines (ignoring malformed entries, which _parse_lines reports)."""
    ids = set()
    for item in lines if isinstance(lines, (list, tuple)) else []:
        raw = item.get("listing") if isinstance(item, dict) else None
        if isinstance(raw, Listing):
            ids.add(raw.pk)
        elif raw is not None:
            try:
                ids.add(parse_id(raw, field=None))
            except ValidationFailed:
                continue
    return sorted(ids)


def _refresh_totals(order: PurchaseOrder) -> None:
    agg = order.lines.aggregate(total=Sum("amount"), n=Count("pk"))
    order.total_amount = agg["total"] or Decimal("0.00")
    order.line_count = agg["n"]
    order.save(update_fields=["total_amount", "line_count", "updated_at"])


@transaction.atomic
def cart_add(*, by, listing: Listing, distributor, packs) -> PurchaseOrder:
    """Add a listing to the hospital's draft order for the distributor (the cart), creating the draft if needed;
    adding a listing already in the cart adds to its quantity."""
    hospital, distributor, _ = _resolve_parties(by, None, distributor)
    packs = parse_count(packs, field="packs", label=gettext_lazy("采购数量"))
    today = timezone.localdate()
    listing = Listing.objects.select_related("product", "manufacturer").get(pk=listing.pk)
    _check_listing_orderable(listing, on=today, field="listing")
    _check_distributor(hospital, distributor, [listing], on=today)
    draft = (
        PurchaseOrder.objects.select_for_update()
        .filter(hospital=hospital, distributor=distributor, status=S.DRAFT, idempotency_key="")
        .order_by("-pk")
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
        sub = unmet_commitments(hospital_id=hospital.pk, products=[listing.product], on=today).get(listing.product_id)
        next_no = (draft.lines.order_by("-line_no").values_list("line_no", flat=True).first() or 0) + 1
        if next_no > settings.ORDER_MAX_LINES:
            raise ValidationFailed(
                gettext("一张订单最多 %(ORDER_MAX_LINES)s 个品规") % {"ORDER_MAX_LINES": settings.ORDER_MAX_LINES},
                field="lines",
            )
        _build_line(draft, next_no, LineInput(listing=listing, packs=packs), sub).save()
    _refresh_totals(draft)
    draft.version += 1
    draft.save(update_fields=["version"])
    _event(draft, "line_added", by=by, data={"listing": listing.pk, "packs": packs})
    return draft


@transaction.atomic
def order_update_draft(
    *, order: PurchaseOrder, by, lines=None, urgent: bool | None = None, remarks: str | None = None, version=None
) -> PurchaseOrder:
    """Replace a draft's lines (packs 0 drops a line) and/or its urgency and remarks."""
    order = _lock(order)
    _require_hospital_user(order, by, "order.place")
    _check_version(order, version)
    _require_state(order, (S.DRAFT,), pgettext("订单操作", "修改"))
    if lines is not None:
        kept = [item for item in lines if not (isinstance(item, dict) and str(item.get("packs")).strip() == "0")]
        today = timezone.localdate()
        items = _parse_lines(kept, on=today)
        _check_distributor(
            order.hospital,
            order.distributor,
            [i.listing for i in items],
            on=today,
            fields=[f"lines[{n}].listing" for n in range(len(items))],
        )
        subs = unmet_commitments(hospital_id=order.hospital_id, products=[i.listing.product for i in items], on=today)
        order.lines.all().delete()
        PurchaseOrderLine.objects.bulk_create(
            [_build_line(order, n, item, subs.get(item.listing.product_id)) for n, item in enumerate(items, start=1)]
        )
        _refresh_totals(order)
    if urgent is not None:
        order.urgent = bool(urgent)
    if remarks is not None:
        order.hospital_remarks = _remarks(remarks)
    order.version += 1
    order.save(update_fields=["urgent", "hospital_remarks", "version", "updated_at"])
    _event(order, "draft_updated", by=by, data={"lines": order.line_count})
    return order


# --- submission and the distributor's answer --------------------------------------------------------------------


SHARE_LOCK_SQL = "SELECT id FROM procurement_listing WHERE id = ANY(%s) ORDER BY id FOR SHARE"


def _share_lock_listings(listing_ids: list[int]) -> None:
    """Hold the listings still while prices are frozen: a concurrent suspension or price change (which locks the
    listing FOR UPDATE) waits for this submission, then sees and flags the submitted order. Many submissions of the
    same popular listings share the lock instead of queueing behind each other (FOR SHARE)."""
    if not listing_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(SHARE_LOCK_SQL, [listing_ids])


def _submit(order: PurchaseOrder, *, by, lines: list | None = None, listings: dict | None = None) -> None:
    """Freeze prices from the listings (held with a share lock) and start the distributor's deadlines. `lines` and
    `listings` are passed when the order was created in this transaction from listings read under the lock."""
    now = timezone.now()
    today = timezone.localdate(now)
    if lines is None:
        lines = list(order.lines.order_by("line_no"))
    if not lines:
        raise ValidationFailed(gettext("订单没有明细，不能提交"), field="lines")
    if not order.distributor.is_active:
        raise ValidationFailed(
            gettext("配送企业“%(name)s”已停用，请改选其他配送企业") % {"name": order.distributor.name},
            field="distributor",
        )
    if listings is None:
        listing_ids = sorted({line.listing_id for line in lines})
        _share_lock_listings(listing_ids)
        listings = Listing.objects.select_related("product", "manufacturer").in_bulk(listing_ids)
        ordered = [listings[line.listing_id] for line in lines]
        for i, listing in enumerate(ordered):
            _check_listing_orderable(listing, on=today, field=f"lines[{i}].listing")
        _check_distributor(
            order.hospital,
            order.distributor,
            ordered,
            on=today,
            fields=[f"lines[{n}].listing" for n in range(len(ordered))],
        )
    to_update = []
    for line in lines:
        listing = listings[line.listing_id]
        if (line.unit_price, line.pack_price) != (listing.unit_price, listing.pack_price):
            line.unit_price, line.pack_price = listing.unit_price, listing.pack_price
            line.amount = quantize_amount(listing.unit_price * line.min_units)
            to_update.append(line)
    if any(line.price_frozen_at is None for line in lines):
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
    order.submitted_at, order.submitted_by = now, by
    order.response_due_at = now + timedelta(hours=settings.ORDER_RESPONSE_HOURS)
    hours = settings.ORDER_URGENT_DELIVERY_HOURS if order.urgent else settings.ORDER_DELIVERY_HOURS
    order.delivery_due_at = now + timedelta(hours=hours)
    order.listing_flag, order.listing_flag_reason = False, ""
    previous = order.status
    order.submit()
    order.version += 1
    return OrderEvent(
        order=order,
        action=S.SUBMITTED,
        from_status=previous,
        to_status=S.SUBMITTED,
        actor=by,
        organization_id=by.organization_id,
        data={"total_amount": str(order.total_amount)},
    )


@transaction.atomic
def order_submit(*, order: PurchaseOrder, by, version=None) -> PurchaseOrder:
    # Listings before the order, the same order as listing suspensions and price changes take their locks in.
    _share_lock_listings(
        sorted(set(PurchaseOrderLine.objects.filter(order_id=order.pk).values_list("listing_id", flat=True)))
    )
    order = _lock(order)
    _require_hospital_user(order, by, "order.place")
    if order.status == S.SUBMITTED and version is None and order.submitted_by_id == by.pk:
        return order  # a retried submit of the same order: nothing more to do
    _check_version(order, version)
    _require_state(order, (S.DRAFT,), pgettext("订单操作", "提交"))
    _submit(order, by=by)
    return order


@transaction.atomic
def order_accept(*, order: PurchaseOrder, by, remarks: str = "", version=None) -> PurchaseOrder:
    order = _lock(order)
    _require_distributor_user(order, by)
    _check_version(order, version)
    _require_state(order, (S.SUBMITTED,), pgettext("订单操作", "接单"))
    now = timezone.now()
    order.responded_at, order.responded_by = now, by
    order.response_overdue = order.response_overdue or (
        order.response_due_at is not None and now > order.response_due_at
    )
    if remarks:
        order.distributor_remarks = _remarks(remarks)
    _move(
        order,
        S.ACCEPTED,
        by=by,
        reason=remarks,
        fields=["responded_at", "responded_by", "response_overdue", "distributor_remarks"],
    )
    return order


@transaction.atomic
def order_reject(*, order: PurchaseOrder, by, reason: str, version=None) -> PurchaseOrder:
    order = _lock(order)
    _require_distributor_user(order, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(gettext("拒绝订单必须填写原因"), field="reason")
    _check_version(order, version)
    _require_state(order, (S.SUBMITTED,), pgettext("订单操作", "拒绝"))
    now = timezone.now()
    order.responded_at, order.responded_by, order.reject_reason = now, by, _reason(reason)
    order.response_overdue = order.response_overdue or (
        order.response_due_at is not None and now > order.response_due_at
    )
    _move(
        order,
        S.REJECTED,
        by=by,
        reason=reason,
        fields=["responded_at", "responded_by", "reject_reason", "response_overdue"],
    )
    return order


@transaction.atomic
def order_cancel(*, order: PurchaseOrder, by, reason: str = "", version=None) -> PurchaseOrder:
    """The hospital cancels before anything is shipped (a submitted or accepted order needs a reason)."""
    order = _lock(order)
    _require_hospital_user(order, by, "order.place")
    _check_version(order, version)
    _require_state(order, PurchaseOrder.CANCELLABLE_STATUSES, pgettext("订单操作", "撤销（已配送的订单不能撤销）"))
    reason = (reason or "").strip()
    if order.status != S.DRAFT and not reason:
        raise ValidationFailed(gettext("撤销已提交的订单必须填写原因"), field="reason")
    order.cancelled_at, order.cancel_reason = timezone.now(), _reason(reason)
    _move(order, S.CANCELLED, by=by, reason=reason, fields=["cancelled_at", "cancel_reason"])
    return order


@transaction.atomic
def order_remark(*, order: PurchaseOrder, by, remarks: str, version=None) -> PurchaseOrder:
    """Remarks both ways: the hospital's or the distributor's, whichever side the user is on."""
    order = _lock(order)
    _check_version(order, version)
    if by.organization_id == order.hospital_id:
        require(by, "order.place")
        order.hospital_remarks, field = _remarks(remarks), "hospital_remarks"
    elif by.organization_id == order.distributor_id:
        require(by, "order.fulfil")
        order.distributor_remarks, field = _remarks(remarks), "distributor_remarks"
    else:
        raise PermissionDeniedError(gettext("只能为本机构的订单填写备注"))
    order.version += 1
    order.save(update_fields=[field, "version", "updated_at"])
    _event(order, "remarks", by=by, reason=remarks)
    return order


# --- deliveries and receipts -----------------------------------------------------------------------------------------


def _parse_date(value, *, field: str, label: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(
            gettext("%(label)s“%(value)s”不是有效日期（YYYY-MM-DD）") % {"label": label, "value": value}, field=field
        ) from None


def _derived_status(order: PurchaseOrder) -> str:
    lines = list(order.lines.values_list("packs", "packs_shipped"))
    fully_shipped = all(shipped >= packs for packs, shipped in lines)
    deliveries = order.deliveries.all()
    any_receipt = deliveries.filter(received=True).exists()
    pending = deliveries.filter(received=False).exists()
    if any_receipt:
        return S.RECEIVED if fully_shipped and not pending else S.PARTIALLY_RECEIVED
    return S.SHIPPED if fully_shipped else S.PARTIALLY_SHIPPED


@transaction.atomic
def delivery_create(
    *, order: PurchaseOrder, by, invoice_number: str, lines, invoice_date=None, remarks: str = "", version=None
) -> Delivery:
    """配送: ship (part of) an accepted order, with batch number and expiry date per line and the invoice number.
    Over-deliveries are allowed and shown on the line; the hospital may reject the excess at receipt."""
    order = _lock(order)
    _require_distributor_user(order, by)
    _check_version(order, version)
    _require_state(order, PurchaseOrder.SHIPPABLE_STATUSES, pgettext("订单操作", "配送（须先接单）"))
    invoice_number = (invoice_number or "").strip()
    if not invoice_number:
        raise ValidationFailed(gettext("请填写发票号"), field="invoice_number")
    if not isinstance(lines, (list, tuple)) or not lines:
        raise ValidationFailed(gettext("配送单至少需要一行"), field="lines")
    order_lines = {line.pk: line for line in order.lines.select_for_update().order_by("pk")}
    today = timezone.localdate()
    parsed, seen = [], set()
    for i, item in enumerate(lines):
        field = f"lines[{i}]"
        if not isinstance(item, dict):
            raise ValidationFailed(gettext("配送明细格式错误"), field=field)
        raw = item.get("order_line")
        line_id = (
            raw.pk
            if isinstance(raw, PurchaseOrderLine)
            else parse_id(raw, field=f"{field}.order_line", label=gettext_lazy("订单明细编号"))
        )
        order_line = order_lines.get(line_id)
        if order_line is None:
            raise ValidationFailed(
                gettext("订单明细 %(line_id)s 不属于订单 %(number)s") % {"line_id": line_id, "number": order.number},
                field=f"{field}.order_line",
            )
        if line_id in seen:
            raise ValidationFailed(
                gettext("同一订单明细在一张配送单中只能出现一次（不同批号请分开配送）"), field=f"{field}.order_line"
            )
        seen.add(line_id)
        packs = parse_count(item.get("packs"), field=f"{field}.packs", label=gettext_lazy("配送数量"))
        batch = str(item.get("batch_number") or "").strip()
        if not batch:
            raise ValidationFailed(gettext("请填写批号"), field=f"{field}.batch_number")
        expiry = _parse_date(item.get("expiry_date"), field=f"{field}.expiry_date", label=gettext_lazy("有效期至"))
        if expiry <= today:
            raise ValidationFailed(
                gettext("有效期至 %(expiry)s 已过期，不能配送") % {"expiry": expiry}, field=f"{field}.expiry_date"
            )
        production = item.get("production_date")
        production = (
            _parse_date(production, field=f"{field}.production_date", label=gettext_lazy("生产日期"))
            if production
            else None
        )
        if production and production > today:
            raise ValidationFailed(gettext("生产日期不能晚于今天"), field=f"{field}.production_date")
        parsed.append(
            (
                order_line,
                packs,
                _short(batch, field=f"{field}.batch_number", label=gettext_lazy("批号"), max_length=50),
                expiry,
                production,
            )
        )
    now = timezone.now()
    invoice_amount = sum(
        (quantize_amount(ol.unit_price * packs * ol.pack_size) for ol, packs, *_ in parsed), Decimal("0")
    )
    delivery = Delivery.objects.create(
        order=order,
        distributor_id=order.distributor_id,
        hospital_id=order.hospital_id,
        invoice_number=_short(invoice_number, field="invoice_number", label=gettext_lazy("发票号")),
        invoice_amount=invoice_amount,
        shipped_at=now,
        shipped_by=by,
        invoice_date=_parse_date(invoice_date, field="invoice_date", label=gettext_lazy("开票日期"))
        if invoice_date
        else today,
        remarks=_short(remarks, field="remarks", label=gettext_lazy("备注")),
    )
    _assign_number(delivery, "DL")
    DeliveryLine.objects.bulk_create(
        [
            DeliveryLine(
                delivery=delivery,
                order_line=ol,
                packs=packs,
                min_units=packs * ol.pack_size,
                batch_number=batch,
                expiry_date=expiry,
                production_date=production,
            )
            for ol, packs, batch, expiry, production in parsed
        ]
    )
    for ol, packs, *_ in parsed:
        PurchaseOrderLine.objects.filter(pk=ol.pk).update(packs_shipped=F("packs_shipped") + packs)
    target = _derived_status(order)
    fields = []
    if order.first_shipped_at is None:
        order.first_shipped_at = now
        fields.append("first_shipped_at")
    if (
        target in (S.SHIPPED, S.RECEIVED)
        or all(shipped >= packs for packs, shipped in order.lines.values_list("packs", "packs_shipped"))
    ) and order.shipped_at is None:
        order.shipped_at = now
        if order.delivery_due_at and now > order.delivery_due_at:
            order.delivery_overdue = True
        fields += ["shipped_at", "delivery_overdue"]
    over = [ol.line_no for ol, packs, *_ in parsed if ol.packs_shipped + packs > ol.packs]
    _move(
        order,
        target,
        by=by,
        action="delivery",
        fields=fields,
        data={
            "delivery": delivery.number,
            "invoice_number": delivery.invoice_number,
            "lines": len(parsed),
            "over_delivered_lines": over,
        },
    )
    return delivery


@dataclass
class ReceiptInput:
    delivery_line: DeliveryLine
    accepted: int
    rejected: int
    reason: str


@transaction.atomic
def receipt_create(*, delivery: Delivery, by, lines=None, remarks: str = "", version=None) -> Receipt:
    """入库验收 of one delivery. `lines=None` is the quick receipt (every delivered pack accepted); otherwise one
    entry per delivery line: accepted and rejected packs (their sum at most what was delivered) and a reason when
    anything is rejected or missing. A delivery is received once."""
    order = _lock(delivery.order_id)
    _require_hospital_user(order, by, "order.receive")
    _check_version(order, version)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.received:
        raise ConflictError(
            gettext("配送单 %(number)s 已验收，不能重复验收") % {"number": delivery.number}, field="delivery"
        )
    delivery_lines = {dl.pk: dl for dl in delivery.lines.select_related("order_line__product").order_by("pk")}
    inputs = _parse_receipt_lines(delivery_lines, lines)
    now = timezone.now()
    received_on = timezone.localdate(now)
    receipt = Receipt.objects.create(
        delivery=delivery,
        order=order,
        hospital_id=order.hospital_id,
        distributor_id=order.distributor_id,
        received_at=now,
        received_by=by,
        remarks=_short(remarks, field="remarks", label=gettext_lazy("备注")),
    )
    rows = []
    for item in inputs:
        ol = item.delivery_line.order_line
        min_units = item.accepted * ol.pack_size
        rows.append(
            ReceiptLine(
                receipt=receipt,
                delivery_line=item.delivery_line,
                order_line=ol,
                accepted_packs=item.accepted,
                rejected_packs=item.rejected,
                reject_reason=item.reason,
                hospital_id=order.hospital_id,
                distributor_id=order.distributor_id,
                product_id=ol.product_id,
                manufacturer_id=ol.manufacturer_id,
                listing_id=ol.listing_id,
                award_id=ol.award_id,
                supply_class=supply_class_of(ol.product),
                received_on=received_on,
                accepted_min_units=min_units,
                unit_price=ol.unit_price,
                amount=quantize_amount(ol.unit_price * min_units),
            )
        )
    ReceiptLine.objects.bulk_create(rows)
    for item in inputs:
        PurchaseOrderLine.objects.filter(pk=item.delivery_line.order_line_id).update(
            packs_accepted=F("packs_accepted") + item.accepted, packs_rejected=F("packs_rejected") + item.rejected
        )
    receipt.accepted_amount = sum((r.amount for r in rows), Decimal("0.00"))
    receipt.save(update_fields=["accepted_amount"])
    delivery.received = True
    delivery.save(update_fields=["received"])
    target = _derived_status(order)
    fields = []
    if target == S.RECEIVED:
        order.received_at = now
        fields.append("received_at")
    _move(
        order,
        target,
        by=by,
        action="receipt",
        fields=fields,
        data={
            "delivery": delivery.number,
            "accepted_amount": str(receipt.accepted_amount),
            "rejected_packs": sum(i.rejected for i in inputs),
            "short_packs": sum(i.delivery_line.packs - i.accepted - i.rejected for i in inputs),
        },
    )
    # Inside the transaction: the handlers' outbox messages commit with the receipt, so no crash can lose them.
    hooks.receipt_committed(receipt.pk)
    return receipt


def _parse_receipt_lines(delivery_lines: dict[int, DeliveryLine], lines) -> list[ReceiptInput]:
    if lines is None:
        return [ReceiptInput(dl, dl.packs, 0, "") for dl in delivery_lines.values()]
    if not isinstance(lines, (list, tuple)) or not lines:
        raise ValidationFailed(gettext("请逐行填写验收数量"), field="lines")
    given: dict[int, ReceiptInput] = {}
    for i, item in enumerate(lines):
        field = f"lines[{i}]"
        if not isinstance(item, dict):
            raise ValidationFailed(gettext("验收明细格式错误"), field=field)
        raw = item.get("delivery_line")
        dl_id = (
            raw.pk
            if isinstance(raw, DeliveryLine)
            else parse_id(raw, field=f"{field}.delivery_line", label=gettext_lazy("配送明细编号"))
        )
        dl = delivery_lines.get(dl_id)
        if dl is None:
            raise ValidationFailed(
                gettext("配送明细 %(dl_id)s 不属于该配送单") % {"dl_id": dl_id}, field=f"{field}.delivery_line"
            )
        if dl_id in given:
            raise ValidationFailed(gettext("同一配送明细只能验收一次"), field=f"{field}.delivery_line")
        accepted = parse_count(
            item.get("accepted_packs"), field=f"{field}.accepted_packs", label=gettext_lazy("验收数量"), allow_zero=True
        )
        rejected = parse_count(
            item.get("rejected_packs", 0) or 0,
            field=f"{field}.rejected_packs",
            label=gettext_lazy("拒收数量"),
            allow_zero=True,
        )
        if accepted + rejected > dl.packs:
            raise ValidationFailed(
                gettext("%(generic_name)s：验收 %(accepted)s + 拒收 %(rejected)s 超过配送数量 %(packs)s")
                % {
                    "generic_name": dl.order_line.product.generic_name,
                    "accepted": accepted,
                    "rejected": rejected,
                    "packs": dl.packs,
                },
                field=f"{field}.accepted_packs",
            )
        reason = _short(
            str(item.get("reject_reason") or "").strip(), field=f"{field}.reject_reason", label=gettext_lazy("拒收原因")
        )
        if (accepted + rejected < dl.packs or rejected) and not reason:
            raise ValidationFailed(gettext("有拒收或短少时必须填写原因"), field=f"{field}.reject_reason")
        given[dl_id] = ReceiptInput(dl, accepted, rejected, reason)
    missing = [dl for pk, dl in delivery_lines.items() if pk not in given]
    if missing:
        raise ValidationFailed(
            gettext("请为每一行配送明细填写验收数量（缺 %(generic_name)s）")
            % {"generic_name": missing[0].order_line.product.generic_name},
            field="lines",
        )
    return [given[pk] for pk in delivery_lines]


@transaction.atomic
def order_close(*, order: PurchaseOrder, by, reason: str = "", version=None) -> PurchaseOrder:
    """完结: after full receipt; earlier (short supply accepted) only with a reason and no delivery awaiting receipt."""
    order = _lock(order)
    _require_hospital_user(order, by, "order.receive")
    _check_version(order, version)
    _require_state(
        order, (S.RECEIVED, S.PARTIALLY_RECEIVED, S.PARTIALLY_SHIPPED, S.SHIPPED), pgettext("订单操作", "完结")
    )
    reason = (reason or "").strip()
    if order.deliveries.filter(received=False).exists():
        raise ConflictError(gettext("仍有未验收的配送单，请先验收"), field="status")
    if order.status != S.RECEIVED and not reason:
        raise ValidationFailed(gettext("订单未全部到货，提前完结必须填写原因"), field="reason")
    order.closed_at, order.close_reason = timezone.now(), _reason(reason)
    _move(order, S.CLOSED, by=by, reason=reason, fields=["closed_at", "close_reason"])
    return order


# --- returns ------------------------------------------------------------------------------------------------------


@transaction.atomic
def goods_return_create(*, order: PurchaseOrder, by, reason: str, lines, version=None) -> GoodsReturn:
    """退货 after receipt: packs per receipt line, at most what was accepted and not yet returned."""
    order = _lock(order)
    _require_hospital_user(order, by, "order.receive")
    _check_version(order, version)
    _require_state(order, (S.PARTIALLY_RECEIVED, S.RECEIVED, S.CLOSED), pgettext("订单操作", "退货（须先验收入库）"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(gettext("请填写退货原因"), field="reason")
    if not isinstance(lines, (list, tuple)) or not lines:
        raise ValidationFailed(gettext("退货单至少需要一行"), field="lines")
    ids = []
    for i, item in enumerate(lines):
        if not isinstance(item, dict):
            raise ValidationFailed(gettext("退货明细格式错误"), field=f"lines[{i}]")
        raw = item.get("receipt_line")
        ids.append(
            raw.pk
            if isinstance(raw, ReceiptLine)
            else parse_id(raw, field=f"lines[{i}].receipt_line", label=gettext_lazy("验收明细编号"))
        )
    receipt_lines = {
        rl.pk: rl
        for rl in ReceiptLine.objects.select_for_update().filter(pk__in=ids, receipt__order=order).order_by("pk")
    }
    returned = dict(
        GoodsReturnLine.objects.filter(receipt_line_id__in=ids)
        .values("receipt_line_id")
        .annotate(n=Sum("packs"))
        .values_list("receipt_line_id", "n")
    )
    now = timezone.now()
    parsed = []
    for i, (item, rl_id) in enumerate(zip(lines, ids, strict=True)):
        field = f"lines[{i}]"
        rl = receipt_lines.get(rl_id)
        if rl is None:
            raise ValidationFailed(
                gettext("验收明细 %(rl_id)s 不属于订单 %(number)s") % {"rl_id": rl_id, "number": order.number},
                field=f"{field}.receipt_line",
            )
        packs = parse_count(item.get("packs"), field=f"{field}.packs", label=gettext_lazy("退货数量"))
        available = rl.accepted_packs - returned.get(rl_id, 0)
        if packs > available:
            raise ValidationFailed(
                gettext("退货数量 %(packs)s 超过可退数量 %(available)s（已验收 %(accepted_packs)s）")
                % {"packs": packs, "available": available, "accepted_packs": rl.accepted_packs},
                field=f"{field}.packs",
            )
        returned[rl_id] = returned.get(rl_id, 0) + packs
        parsed.append(
            (
                rl,
                packs,
                _short(
                    str(item.get("reason") or reason).strip(), field=f"{field}.reason", label=gettext_lazy("退货原因")
                ),
            )
        )
    goods_return = GoodsReturn.objects.create(
        order=order,
        hospital_id=order.hospital_id,
        distributor_id=order.distributor_id,
        reason=_reason(reason),
        returned_at=now,
        returned_by=by,
    )
    _assign_number(goods_return, "RT")
    returned_on = timezone.localdate(now)
    rows = []
    for rl, packs, line_reason in parsed:
        min_units = packs * (rl.accepted_min_units // rl.accepted_packs)
        rows.append(
            GoodsReturnLine(
                goods_return=goods_return,
                receipt_line=rl,
                order_line_id=rl.order_line_id,
                packs=packs,
                reason=line_reason,
                hospital_id=rl.hospital_id,
                distributor_id=rl.distributor_id,
                product_id=rl.product_id,
                manufacturer_id=rl.manufacturer_id,
                listing_id=rl.listing_id,
                award_id=rl.award_id,
                supply_class=rl.supply_class,
                returned_on=returned_on,
                min_units=min_units,
                unit_price=rl.unit_price,
                amount=quantize_amount(rl.unit_price * min_units),
            )
        )
    GoodsReturnLine.objects.bulk_create(rows)
    for rl, packs, _ in parsed:
        PurchaseOrderLine.objects.filter(pk=rl.order_line_id).update(packs_returned=F("packs_returned") + packs)
    goods_return.amount = sum((r.amount for r in rows), Decimal("0.00"))
    goods_return.save(update_fields=["amount"])
    order.version += 1
    order.save(update_fields=["version", "updated_at"])
    _event(
        order,
        "returned",
        by=by,
        reason=reason,
        data={"return": goods_return.number, "amount": str(goods_return.amount)},
    )
    hooks.return_committed(goods_return.pk)  # inside the transaction, as for receipts
    return goods_return


# --- deadlines ----------------------------------------------------------------------------------------------------


def orders_flag_overdue(*, now: datetime | None = None) -> dict[str, int]:
    """Set the overdue flags of orders whose distributor missed the 24 h response or 72 h delivery deadline
    (two set-based updates; safe to run any number of times)."""
    now = now or timezone.now()
    responded = PurchaseOrder.objects.filter(
        status=S.SUBMITTED, response_due_at__lt=now, response_overdue=False
    ).update(response_overdue=True)
    delivered = PurchaseOrder.objects.filter(
        status__in=(S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_SHIPPED), delivery_due_at__lt=now, delivery_overdue=False
    ).update(delivery_overdue=True)
    return {"response_overdue": responded, "delivery_overdue": delivered}
