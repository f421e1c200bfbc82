"""What every step of an order's life shares: the row lock, the stale-copy check, the state and actor checks, the FSM
transition with its `OrderEvent`, document numbers, and the small parsers of counts, dates and texts.

Every step locks the order row first (`lock_order`: select_for_update; dependent rows after it, in pk order), checks
the state and the actor's organisation, makes the FSM transition and writes an `OrderEvent` (who, when, from, to,
why). A client may pass the `version` it last read: a step on a stale copy is refused with a conflict instead of
silently acting on changed data. Two users acting at once are serialised by the row lock; the second sees the new
state and gets a clear conflict.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.permissions import require
from common.numbers import integer_range, parse_id, parse_int
from common.text import check_text

from ..errors import ConflictError, NotFoundError, OrderError, PermissionDeniedError, ValidationFailed
from ..models import OrderEvent, PurchaseOrder, PurchaseOrderLine, SupplyClass

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
    if value < 0 and allow_zero:
        raise ValidationFailed(
            gettext("%(label)s不能为负数") % {"label": label}, field=field, code=OrderError.QUANTITY_NEGATIVE
        )
    if value <= 0 and not allow_zero:
        raise ValidationFailed(
            gettext("%(label)s必须大于零") % {"label": label}, field=field, code=OrderError.QUANTITY_NOT_POSITIVE
        )
    return value


def parse_date(value, *, field: str, label: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(
            gettext("%(label)s“%(value)s”不是有效日期（YYYY-MM-DD）") % {"label": label, "value": value},
            field=field,
            code=OrderError.INVALID_DATE,
        ) from None


# An order's remarks are free text (TextField) bounded here; reasons and the remarks of deliveries, receipts and lines
# fill 300-character columns. Longer text is refused, naming the limit, never cut (common.text).
REMARKS_MAX = 2000
SHORT_TEXT_MAX = 300
LINE_REMARKS_MAX = PurchaseOrderLine._meta.get_field("remarks").max_length


def remarks_text(remarks: str, *, field: str = "remarks") -> str:
    return check_text(remarks or "", field=field, label=gettext_lazy("备注"), max_length=REMARKS_MAX)


def reason_text(reason: str, *, field: str = "reason") -> str:
    return check_text(reason or "", field=field, label=gettext_lazy("原因"), max_length=SHORT_TEXT_MAX)


def short_text(text: str, *, field: str, label, max_length: int = SHORT_TEXT_MAX) -> str:
    return check_text(text or "", field=field, label=label, max_length=max_length)


def require_reason(reason: str, message: str, *, field: str = "reason") -> str:
    """The reason stripped; refused when empty with `message`."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(message, field=field, code=OrderError.REASON_REQUIRED)
    return reason


def require_lines(lines, message: str) -> None:
    if not isinstance(lines, (list, tuple)) or not lines:
        raise ValidationFailed(message, field="lines", code=OrderError.LINES_REQUIRED)


def line_ref(item, key: str, model, *, message: str, field: str, label) -> int:
    """The id of the `key` object (`model` or its id) of one line of a JSON list; `message` when the line is not an
    object."""
    if not isinstance(item, dict):
        raise ValidationFailed(message, field=field, code=OrderError.LINE_MALFORMED)
    raw = item.get(key)
    return raw.pk if isinstance(raw, model) else parse_id(raw, field=f"{field}.{key}", label=label)


def supply_class_of(product) -> str:
    if product.category != "consumable":
        return SupplyClass.DRUG
    return SupplyClass.HIGH_VALUE_CONSUMABLE if product.high_value else SupplyClass.OTHER_CONSUMABLE


# --- locking, events, transitions ----------------------------------------------------------------------------------


def lock_order(order: PurchaseOrder | int) -> PurchaseOrder:
    pk = order if isinstance(order, int) else order.pk
    try:
        return PurchaseOrder.objects.select_for_update().get(pk=pk)
    except PurchaseOrder.DoesNotExist:
        raise NotFoundError(gettext("订单不存在"), code=OrderError.ORDER_NOT_FOUND) from None


def check_version(order: PurchaseOrder, version) -> None:
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
            code=OrderError.STALE,
        )


def new_event(
    order: PurchaseOrder,
    action: str,
    *,
    by,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
) -> OrderEvent:
    """The audit row of a step (unsaved)."""
    return OrderEvent(
        order=order,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=by if getattr(by, "pk", None) else None,
        organization_id=getattr(by, "organization_id", None),
        reason=reason or "",
        data=data or {},
    )


def record_event(order: PurchaseOrder, action: str, **kwargs) -> OrderEvent:
    event = new_event(order, action, **kwargs)
    event.save()
    return event


def move(
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
    record_event(order, action or to, by=by, from_status=previous, to_status=to, reason=reason, data=data)


def require_state(order: PurchaseOrder, allowed, what: str) -> None:
    if order.status not in allowed:
        raise ConflictError(
            gettext("订单 %(value)s 当前状态为“%(status)s”，不能%(what)s")
            % {"value": order.number or order.pk, "status": order.get_status_display(), "what": what},
            field="status",
            code=OrderError.WRONG_STATUS,
        )


def require_hospital_user(order: PurchaseOrder, by, capability: str) -> None:
    require(by, capability)
    if by.organization_id != order.hospital_id:
        raise PermissionDeniedError(gettext("只能操作本机构的订单"), code=OrderError.NOT_OWN_ORDER)


def require_distributor_user(order: PurchaseOrder, by) -> None:
    require(by, "order.fulfil")
    if by.organization_id != order.distributor_id:
        raise PermissionDeniedError(gettext("只能处理配送给本企业的订单"), code=OrderError.NOT_OWN_ORDER)


def number_before_insert(obj, prefix: str) -> None:
    """The id and the document number (as `assign_number` makes it) of a row about to be inserted: the id taken from
    the table's sequence first, so that the row is written once, number included, rather than inserted and then
    updated (an update of the indexed number writes a new version of the row and of each of its index entries).
    One small statement: the ORM has no way to ask a sequence for its next value."""
    meta = type(obj)._meta
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [meta.db_table, meta.pk.column])
        obj.pk = cursor.fetchone()[0]
    obj.number = f"{prefix}{timezone.localdate().strftime('%Y%m%d')}{obj.pk:08d}"


def assign_number(obj, prefix: str) -> None:
    """The document number: prefix, local date, the row's id (so numbers never collide); set after the insert."""
    obj.number = f"{prefix}{timezone.localdate().strftime('%Y%m%d')}{obj.pk:08d}"
    type(obj).objects.filter(pk=obj.pk).update(number=obj.number)


def derived_status(order: PurchaseOrder) -> str:
    """The order's status after a delivery or a receipt, from its lines and deliveries."""
    lines = list(order.lines.values_list("packs", "packs_short", "packs_shipped"))
    fully_shipped = all(shipped >= packs - short for packs, short, shipped in lines)
    deliveries = order.deliveries.all()
    any_receipt = deliveries.filter(received=True).exists()
    pending = deliveries.filter(received=False).exists()
    if any_receipt:
        return S.RECEIVED if fully_shipped and not pending else S.PARTIALLY_RECEIVED
    return S.SHIPPED if fully_shipped else S.PARTIALLY_SHIPPED
