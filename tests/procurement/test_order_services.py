"""The order workflow through its services: the whole path, prices frozen at submission, and every bad input
(clear error, nothing written)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from common.errors import ConflictError, PermissionDeniedError, ValidationFailed
from common.messages import Message
from procurement import hooks
from procurement.errors import OrderError
from procurement.models import (
    Delivery,
    GoodsReturn,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
)
from procurement.services import deliveries as delivery_svc
from procurement.services import listings as listing_svc
from procurement.services import orders as svc
from procurement.services import receipts as receipt_svc
from procurement.services import returns as return_svc
from tests.factories import AgencyFactory, UserFactory

from .ordering import build_world, refused

pytestmark = pytest.mark.django_db
S = PurchaseOrder.Status


@pytest.fixture
def w():
    return build_world()


@pytest.fixture
def official():
    return UserFactory(username="o_official", organization=AgencyFactory(), roles=["pricing_official"])


def _expiry():
    return (timezone.localdate() + timedelta(days=700)).isoformat()


def _submitted(w, **kw):
    return svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(**kw), submit=True)


def _accepted(w, **kw):
    order = _submitted(w, **kw)
    return svc.order_accept(order=order, by=w.dist_rep)


def _ship(w, order, packs, packs2=None):
    lines = list(order.lines.order_by("line_no"))
    items = [{"order_line": lines[0].pk, "packs": packs, "batch_number": "A1", "expiry_date": _expiry()}]
    if packs2:
        items.append({"order_line": lines[1].pk, "packs": packs2, "batch_number": "B1", "expiry_date": _expiry()})
    return delivery_svc.delivery_create(order=order, by=w.dist_rep, invoice_number="INV-1", lines=items)


def _counts():
    return (
        PurchaseOrder.objects.count(),
        PurchaseOrderLine.objects.count(),
        Delivery.objects.count(),
        Receipt.objects.count(),
        ReceiptLine.objects.count(),
        GoodsReturn.objects.count(),
        OrderEvent.objects.count(),
    )


def test_full_path_order_accept_partial_delivery_receipts_and_return(w, monkeypatch):
    receipts, returns = [], []
    monkeypatch.setattr(hooks, "receipt_committed_handlers", [receipts.append])
    monkeypatch.setattr(hooks, "return_committed_handlers", [returns.append])
    order = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(10, 5))
    assert order.status == S.DRAFT and order.number.startswith("PO")
    order = svc.order_submit(order=order, by=w.buyer)
    assert order.status == S.SUBMITTED
    assert order.total_amount == Decimal("60.00") + Decimal("123.45")
    assert order.response_due_at - order.submitted_at == timedelta(hours=24)
    assert order.delivery_due_at - order.submitted_at == timedelta(hours=72)
    order = svc.order_accept(order=order, by=w.dist_rep, remarks="明日送达")
    first = _ship(w, order, 4)
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_SHIPPED
    with pytest.raises(ValidationFailed):  # line-by-line receipt needs every line
        receipt_svc.receipt_create(delivery=first, by=w.buyer, lines=[])
    line = first.lines.get()
    with django_capture_on_commit():
        receipt1 = receipt_svc.receipt_create(
            delivery=first,
            by=w.buyer,
            lines=[{"delivery_line": line.pk, "accepted_packs": 3, "rejected_packs": 1, "reject_reason": "外包装破损"}],
        )
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_RECEIVED
    rl = receipt1.lines.get()
    assert (rl.accepted_min_units, rl.unit_price, rl.amount) == (36, Decimal("0.5000"), Decimal("18.00"))
    assert rl.hospital_id == w.hospital.pk and rl.award_id is None and rl.received_on == timezone.localdate()
    second = _ship(w, order, 6, 5)
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_RECEIVED  # second delivery awaits its receipt
    with django_capture_on_commit():
        receipt_svc.receipt_create(delivery=second, by=w.buyer)  # quick receipt: all accepted
    order.refresh_from_db()
    assert order.status == S.RECEIVED and order.received_at is not None
    l1, l2 = order.lines.order_by("line_no")
    assert (l1.packs_shipped, l1.packs_accepted, l1.packs_rejected) == (10, 9, 1)
    assert (l2.packs_shipped, l2.packs_accepted) == (5, 5)
    with django_capture_on_commit():
        ret = return_svc.goods_return_create(
            order=order, by=w.buyer, reason="近效期", lines=[{"receipt_line": rl.pk, "packs": 2}]
        )
    assert ret.amount == Decimal("12.00") and ret.lines.get().min_units == 24
    l1.refresh_from_db()
    assert l1.packs_returned == 2
    order = svc.order_close(order=order, by=w.buyer)
    assert order.status == S.CLOSED
    assert len(receipts) == 2 and returns == [ret.pk]
    actions = list(order.events.values_list("action", flat=True))
    assert actions == [
        "created",
        "submitted",
        "accepted",
        "delivery",
        "receipt",
        "delivery",
        "receipt",
        "returned",
        "closed",
    ]


class django_capture_on_commit:  # noqa: N801 - reads like a context manager
    """Run on_commit callbacks at the end of the block (the test runs inside one transaction)."""

    def __enter__(self):
        from django.db import connection

        self.before = len(connection.run_on_commit)

    def __exit__(self, *exc):
        from django.db import connection

        if exc[0] is None:
            callbacks = connection.run_on_commit[self.before :]
            del connection.run_on_commit[self.before :]
            for _, callback, _ in callbacks:
                callback()


def test_price_is_frozen_at_submission_and_drafts_follow_the_listing(w, official):
    draft = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(10, 5))
    submitted = _submitted(w, packs=10, packs2=5)
    listing_svc.listing_change_price(listing=w.listing, unit_price="0.6000", by=official, reason="全国最低价联动")
    draft_line = draft.lines.get(listing=w.listing)
    assert (draft_line.unit_price, draft_line.pack_price, draft_line.amount) == (
        Decimal("0.6000"),
        Decimal("7.20"),
        Decimal("72.00"),
    )
    draft.refresh_from_db()
    assert draft.total_amount == Decimal("72.00") + Decimal("123.45")
    kept = submitted.lines.get(listing=w.listing)
    assert kept.unit_price == Decimal("0.5000") and kept.amount == Decimal("60.00")
    assert w.listing.history.first().history_change_reason == "全国最低价联动"


def test_suspended_listing_flags_open_orders_and_cannot_be_ordered(w, official):
    draft = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines())
    accepted = _accepted(w)
    listing_svc.listing_suspend(listing=w.listing, by=official, reason="信用评价严重失信")
    for order in (draft, accepted):
        order.refresh_from_db()
        assert order.listing_flag and "信用评价严重失信" in order.listing_flag_reason
    before = _counts()
    with refused(ValidationFailed, OrderError.LISTING_SUSPENDED):
        svc.order_submit(order=draft, by=w.buyer)
    with refused(ValidationFailed, OrderError.LISTING_SUSPENDED):
        svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines())
    assert _counts() == before
    listing_svc.listing_reinstate(listing=w.listing, by=official, reason="信用修复")
    draft.refresh_from_db()
    assert not draft.listing_flag
    assert svc.order_submit(order=draft, by=w.buyer).status == S.SUBMITTED


def test_listing_problem_note_is_kept_as_a_message_and_shown_in_the_readers_language(w, official):
    draft = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines())
    # a platform reason (a credit consequence) is a message; a typed one is data
    reason = Message("资质证照过期（生产许可证或注册证），暂停挂网")
    listing_svc.listing_suspend(listing=w.listing, by=official, reason=reason)
    draft.refresh_from_db()
    name = w.listing.product.generic_name
    assert draft.listing_flag_reason == f"{name}：资质证照过期（生产许可证或注册证），暂停挂网"
    with translation.override("en"):
        note = str(draft.listing_flag_note)
        assert f'<span lang="zh">{name}</span>: Qualification expired' in note, note
        assert draft.listing_flag_text.startswith(f"{name}: Qualification expired")
    listing_svc.listing_reinstate(listing=w.listing, by=official, reason="换证")
    listing_svc.listing_withdraw(listing=w.listing, by=official, reason="企业申请撤网")
    draft.refresh_from_db()
    with translation.override("en"):
        assert '<span lang="zh">企业申请撤网</span>' in str(draft.listing_flag_note)
    draft.listing_flag_message = None  # a note written before the message was kept: its text, marked as data
    assert str(draft.listing_flag_note) == f'<span lang="zh">{name}：企业申请撤网</span>'


@pytest.mark.parametrize("change", ["withdrawn", "expired", "future"])
def test_inactive_or_expired_listing_is_refused(w, official, change):
    today = timezone.localdate()
    if change == "withdrawn":
        listing_svc.listing_withdraw(listing=w.listing, by=official, reason="企业申请撤网")
    elif change == "expired":
        type(w.listing).objects.filter(pk=w.listing.pk).update(
            valid_from=today - timedelta(days=400), valid_to=today - timedelta(days=1)
        )
    else:
        type(w.listing).objects.filter(pk=w.listing.pk).update(valid_from=today + timedelta(days=3))
    before = _counts()
    with pytest.raises(ValidationFailed) as err:
        svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines())
    assert err.value.field == "lines[0].listing"
    assert {"withdrawn": "撤网", "expired": "到期", "future": "尚不能采购"}[change] in err.value.message
    assert _counts() == before


def test_unauthorised_distributor_is_refused(w):
    before = _counts()
    with pytest.raises(ValidationFailed, match="未获.*授权") as err:
        svc.order_create(by=w.buyer, distributor=w.other_distributor, lines=w.lines())
    assert (err.value.code, err.value.field) == (OrderError.DISTRIBUTOR_NOT_AUTHORIZED, "lines[0].listing")
    assert _counts() == before
    with translation.override("en"), refused(ValidationFailed, OrderError.DISTRIBUTOR_NOT_AUTHORIZED) as err:
        svc.order_create(by=w.buyer, distributor=w.other_distributor, lines=w.lines())
    assert "authoris" in err.value.message or "authoriz" in err.value.message, err.value.message


def test_authorisation_for_another_region_does_not_count(w):
    from tests.factories import league

    auth = w.listing.product.distribution_authorizations.get()
    auth.regions.set([league("150400")])  # 赤峰 only
    with refused(ValidationFailed, OrderError.DISTRIBUTOR_NOT_AUTHORIZED):
        svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines())


def test_ordering_for_another_hospital_is_refused(w):
    before = _counts()
    with refused(PermissionDeniedError, OrderError.NOT_OWN_HOSPITAL):
        svc.order_create(by=w.buyer, hospital=w.other_hospital, distributor=w.distributor, lines=w.lines())
    draft = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines())
    before = _counts()
    with pytest.raises(PermissionDeniedError):
        svc.order_submit(order=draft, by=w.other_buyer)
    with pytest.raises(PermissionDeniedError):  # a distributor cannot place orders
        svc.order_create(by=w.dist_rep, distributor=w.distributor, lines=w.lines())
    assert _counts() == before


@pytest.mark.parametrize("packs", [0, -1, 1.5, "2.5", "abc", None, True, Decimal("1.5")])
def test_bad_pack_quantities_are_refused(w, packs):
    before = _counts()
    with pytest.raises(ValidationFailed) as err:
        svc.order_create(by=w.buyer, distributor=w.distributor, lines=[{"listing": w.listing.pk, "packs": packs}])
    assert err.value.field == "lines[0].packs"
    assert _counts() == before


def test_duplicate_listing_and_unknown_listing_are_refused(w):
    with refused(ValidationFailed, OrderError.DUPLICATE_LINE):
        svc.order_create(
            by=w.buyer,
            distributor=w.distributor,
            lines=[{"listing": w.listing.pk, "packs": 1}, {"listing": w.listing.pk, "packs": 2}],
        )
    with refused(ValidationFailed, OrderError.LISTING_NOT_FOUND):
        svc.order_create(by=w.buyer, distributor=w.distributor, lines=[{"listing": 999999, "packs": 1}])
    with refused(ValidationFailed, OrderError.LINES_REQUIRED):
        svc.order_create(by=w.buyer, distributor=w.distributor, lines=[])
    assert PurchaseOrder.objects.count() == 0


def test_receiving_more_than_delivered_is_refused(w):
    order = _accepted(w)
    delivery = _ship(w, order, 4)
    line = delivery.lines.get()
    before = _counts()
    with refused(ValidationFailed, OrderError.RECEIPT_EXCEEDS_DELIVERY) as err:
        receipt_svc.receipt_create(
            delivery=delivery,
            by=w.buyer,
            lines=[{"delivery_line": line.pk, "accepted_packs": 4, "rejected_packs": 1, "reject_reason": "破损"}],
        )
    assert err.value.field == "lines[0].accepted_packs"
    with refused(ValidationFailed, OrderError.REASON_REQUIRED):
        receipt_svc.receipt_create(
            delivery=delivery, by=w.buyer, lines=[{"delivery_line": line.pk, "accepted_packs": 3}]
        )
    assert _counts() == before
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_SHIPPED and order.lines.get(line_no=1).packs_accepted == 0


def test_delivery_for_another_distributors_order_is_refused(w):
    order = _accepted(w)
    before = _counts()
    lines = [{"order_line": order.lines.first().pk, "packs": 1, "batch_number": "X", "expiry_date": _expiry()}]
    with refused(PermissionDeniedError, OrderError.NOT_OWN_ORDER):
        delivery_svc.delivery_create(order=order, by=w.other_dist_rep, invoice_number="X1", lines=lines)
    with pytest.raises(PermissionDeniedError):
        svc.order_accept(order=_submitted(w), by=w.other_dist_rep)
    assert _counts()[2] == before[2]


def test_transitions_out_of_order_are_refused(w):
    order = _submitted(w)
    before = _counts()
    lines = [{"order_line": order.lines.first().pk, "packs": 1, "batch_number": "X", "expiry_date": _expiry()}]
    with refused(ConflictError, OrderError.WRONG_STATUS):
        delivery_svc.delivery_create(order=order, by=w.dist_rep, invoice_number="X1", lines=lines)
    with refused(ConflictError, OrderError.WRONG_STATUS):
        return_svc.goods_return_create(order=order, by=w.buyer, reason="x", lines=[{"receipt_line": 1, "packs": 1}])
    with refused(ConflictError, OrderError.WRONG_STATUS):
        svc.order_close(order=order, by=w.buyer)
    assert _counts() == before
    svc.order_accept(order=order, by=w.dist_rep)
    delivery = _ship(w, order, 10, 5)
    receipt_svc.receipt_create(delivery=delivery, by=w.buyer)
    before = _counts()
    with refused(ConflictError, OrderError.DELIVERY_ALREADY_RECEIVED):
        receipt_svc.receipt_create(delivery=delivery, by=w.buyer)
    with refused(ConflictError, OrderError.WRONG_STATUS):
        svc.order_cancel(order=order, by=w.buyer, reason="不要了")
    with pytest.raises(ConflictError):
        svc.order_accept(order=order, by=w.dist_rep)
    assert _counts() == before


def test_delivery_bad_inputs(w):
    order = _accepted(w)
    ol = order.lines.first()
    other = _accepted(w).lines.first()
    today = timezone.localdate()
    cases = [
        ("", [{"order_line": ol.pk, "packs": 1, "batch_number": "A", "expiry_date": _expiry()}], "invoice_number"),
        (
            "I",
            [{"order_line": other.pk, "packs": 1, "batch_number": "A", "expiry_date": _expiry()}],
            "lines[0].order_line",
        ),
        ("I", [{"order_line": ol.pk, "packs": 0, "batch_number": "A", "expiry_date": _expiry()}], "lines[0].packs"),
        (
            "I",
            [{"order_line": ol.pk, "packs": 1, "batch_number": "", "expiry_date": _expiry()}],
            "lines[0].batch_number",
        ),
        (
            "I",
            [{"order_line": ol.pk, "packs": 1, "batch_number": "A", "expiry_date": str(today)}],
            "lines[0].expiry_date",
        ),
        (
            "I",
            [{"order_line": ol.pk, "packs": 1, "batch_number": "A", "expiry_date": "2026-13-01"}],
            "lines[0].expiry_date",
        ),
    ]
    before = _counts()
    for invoice, lines, field in cases:
        with pytest.raises(ValidationFailed) as err:
            delivery_svc.delivery_create(order=order, by=w.dist_rep, invoice_number=invoice, lines=lines)
        assert err.value.field == field
    assert _counts() == before


def test_shipping_beyond_what_a_line_needs_is_refused_and_short_close_needs_a_reason(w):
    order = _accepted(w, packs=10, packs2=5)
    before = _counts()
    with refused(ValidationFailed, OrderError.OVER_DELIVERY) as err:  # 25 against 10 ordered
        _ship(w, order, 25, 4)
    assert err.value.field == "lines[0].packs" and "还需配送 10 包装" in err.value.message
    assert _counts() == before
    delivery = _ship(w, order, 10, 4)
    with refused(ValidationFailed, OrderError.OVER_DELIVERY):  # line 1 is complete: 15 more is refused
        _ship(w, order, 15)
    line = order.lines.get(line_no=1)
    assert line.packs_outstanding == 0 and order.lines.get(line_no=2).packs_outstanding == 1
    receipt_svc.receipt_create(delivery=delivery, by=w.buyer)
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_RECEIVED
    with refused(ValidationFailed, OrderError.REASON_REQUIRED):
        svc.order_close(order=order, by=w.buyer)
    assert svc.order_close(order=order, by=w.buyer, reason="短缺，不再等待").status == S.CLOSED


def test_the_database_refuses_an_over_shipped_line(w):
    from django.db import IntegrityError, transaction

    order = _accepted(w, packs=10, packs2=5)
    line = order.lines.get(line_no=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseOrderLine.objects.filter(pk=line.pk).update(packs_shipped=11)


def test_accepting_with_a_shortage_ships_the_rest_and_tells_the_hospital(w):
    from common.models import Notification

    order = _submitted(w, packs=10, packs2=5)
    first, second = order.lines.order_by("line_no")
    accepted = svc.order_accept(
        order=order, by=w.dist_rep, shortages={str(second.pk): {"reason": "厂家断货，预计下月到货"}}
    )
    assert accepted.status == S.ACCEPTED
    second.refresh_from_db()
    assert second.packs_short == 5 and second.short_reason == "厂家断货，预计下月到货" and second.packs_outstanding == 0
    event = order.events.get(action=S.ACCEPTED)
    assert event.data["shortages"] == {"2": {"packs": 5, "reason": "厂家断货，预计下月到货"}}
    note = Notification.objects.get(organization=w.hospital, kind="order_shortage")
    assert order.number in note.title and "厂家断货" in note.body
    with refused(ValidationFailed, OrderError.OVER_DELIVERY):
        _ship(w, order, 10, 1)
    _ship(w, order, 10)
    order.refresh_from_db()
    assert order.status == S.SHIPPED  # everything that is to be supplied has been shipped


def test_a_partial_shortage_leaves_the_rest_of_the_line_to_ship(w):
    order = _submitted(w, packs=10, packs2=5)
    first = order.lines.get(line_no=1)
    svc.order_accept(order=order, by=w.dist_rep, shortages={first.pk: {"packs": "4", "reason": "库存不足"}})
    first.refresh_from_db()
    assert (first.packs_short, first.packs_outstanding) == (4, 6)
    with refused(ValidationFailed, OrderError.OVER_DELIVERY):
        _ship(w, order, 7)
    _ship(w, order, 6, 5)
    order.refresh_from_db()
    assert order.status == S.SHIPPED


@pytest.mark.parametrize(
    ("make", "field", "code"),
    [
        (lambda a, b: {a.pk: {"reason": ""}}, "shortages.{a}.reason", OrderError.SHORTAGE_REASON_REQUIRED),
        (lambda a, b: {a.pk: {"packs": 11, "reason": "x"}}, "shortages.{a}.packs", OrderError.SHORTAGE_OVER_LINE),
        (lambda a, b: {a.pk: {"packs": 0, "reason": "x"}}, "shortages.{a}.packs", OrderError.QUANTITY_NOT_POSITIVE),
        (lambda a, b: {a.pk: {"packs": "1.5", "reason": "x"}}, "shortages.{a}.packs", None),
        (lambda a, b: {999999: {"reason": "x"}}, "shortages.999999", OrderError.ORDER_LINE_NOT_IN_ORDER),
        (lambda a, b: {a.pk: {"reason": "x"}, b.pk: {"reason": "y"}}, "shortages", OrderError.ALL_LINES_SHORT),
    ],
)
def test_a_bad_shortage_names_its_field_and_changes_nothing(w, make, field, code):
    order = _submitted(w, packs=10, packs2=5)
    a, b = order.lines.order_by("line_no")
    before = (_counts(), list(order.lines.values_list("packs_short", "short_reason")), order.status)
    with pytest.raises(ValidationFailed) as err:
        svc.order_accept(order=order, by=w.dist_rep, shortages=make(a, b))
    assert err.value.field == field.format(a=a.pk)
    if code is not None:
        assert err.value.code == code
    order.refresh_from_db()
    assert (_counts(), list(order.lines.values_list("packs_short", "short_reason")), order.status) == before


def test_return_larger_than_received_is_refused(w):
    order = _accepted(w)
    receipt = receipt_svc.receipt_create(delivery=_ship(w, order, 10, 5), by=w.buyer)
    rl = receipt.lines.get(order_line__line_no=1)
    return_svc.goods_return_create(order=order, by=w.buyer, reason="破损", lines=[{"receipt_line": rl.pk, "packs": 8}])
    before = _counts()
    with refused(ValidationFailed, OrderError.RETURN_EXCEEDS_ACCEPTED) as err:
        return_svc.goods_return_create(
            order=order, by=w.buyer, reason="破损", lines=[{"receipt_line": rl.pk, "packs": 3}]
        )
    assert err.value.field == "lines[0].packs"
    with refused(ValidationFailed, OrderError.RETURN_EXCEEDS_ACCEPTED):  # twice in one return
        return_svc.goods_return_create(
            order=order,
            by=w.buyer,
            reason="破损",
            lines=[{"receipt_line": rl.pk, "packs": 2}, {"receipt_line": rl.pk, "packs": 1}],
        )
    with refused(ValidationFailed, OrderError.REASON_REQUIRED):
        return_svc.goods_return_create(order=order, by=w.buyer, reason="", lines=[{"receipt_line": rl.pk, "packs": 1}])
    other_order = _accepted(w)
    receipt_svc.receipt_create(delivery=_ship(w, other_order, 10, 5), by=w.buyer)
    before = _counts()
    with refused(ValidationFailed, OrderError.RECEIPT_LINE_NOT_IN_ORDER):
        return_svc.goods_return_create(
            order=other_order, by=w.buyer, reason="x", lines=[{"receipt_line": rl.pk, "packs": 1}]
        )
    assert _counts() == before


def test_stale_concurrent_edit_gets_a_conflict(w):
    order = _submitted(w)
    seen_version = order.version
    svc.order_accept(order=order, by=w.dist_rep, version=seen_version)
    before = _counts()
    with pytest.raises(ConflictError, match="已被他人修改") as err:
        svc.order_reject(order=order, by=w.dist_rep2, reason="缺货", version=seen_version)
    assert err.value.code == "stale"
    with refused(ConflictError, OrderError.WRONG_STATUS):  # without a version: the state check
        svc.order_reject(order=order, by=w.dist_rep2, reason="缺货")
    assert _counts() == before
    order.refresh_from_db()
    assert order.status == S.ACCEPTED and order.reject_reason == ""


def test_reject_needs_reason_and_cancel_rules(w):
    order = _submitted(w)
    with refused(ValidationFailed, OrderError.REASON_REQUIRED):
        svc.order_reject(order=order, by=w.dist_rep, reason=" ")
    with refused(ValidationFailed, OrderError.REASON_REQUIRED):
        svc.order_cancel(order=order, by=w.buyer)
    assert svc.order_reject(order=order, by=w.dist_rep, reason="库存不足").status == S.REJECTED
    draft = svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines())
    assert svc.order_cancel(order=draft, by=w.buyer).status == S.CANCELLED


def test_idempotency_key_returns_the_same_order(w):
    first = svc.order_create(
        by=w.buyer, distributor=w.distributor, lines=w.lines(), idempotency_key="his-42", submit=True
    )
    again = svc.order_create(
        by=w.buyer, distributor=w.distributor, lines=w.lines(), idempotency_key="his-42", submit=True
    )
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert PurchaseOrder.objects.count() == 1
    other = svc.order_create(by=w.other_buyer, distributor=w.distributor, lines=w.lines(), idempotency_key="his-42")
    assert other.pk != first.pk  # keys are per hospital


def test_overdue_flags(w, settings):
    order = _submitted(w)
    assert svc.orders_flag_overdue() == {"response_overdue": 0, "delivery_overdue": 0}
    later = timezone.now() + timedelta(hours=25)
    assert svc.orders_flag_overdue(now=later) == {"response_overdue": 1, "delivery_overdue": 0}
    assert svc.orders_flag_overdue(now=timezone.now() + timedelta(hours=73))["delivery_overdue"] == 1
    order.refresh_from_db()
    assert order.response_overdue and order.delivery_overdue
    settings.ORDER_RESPONSE_HOURS = 2
    assert _submitted(w).response_due_at - timezone.now() < timedelta(hours=2, seconds=5)


def test_cart_adds_to_one_draft_per_distributor(w):
    draft = svc.cart_add(by=w.buyer, listing=w.listing, distributor=w.distributor, packs=2)
    again = svc.cart_add(by=w.buyer, listing=w.listing, distributor=w.distributor, packs="3")
    svc.cart_add(by=w.buyer, listing=w.listing2, distributor=w.distributor, packs=1)
    assert again.pk == draft.pk
    assert [(line.listing_id, line.packs) for line in draft.lines.order_by("line_no")] == [
        (w.listing.pk, 5),
        (w.listing2.pk, 1),
    ]
    draft.refresh_from_db()
    assert draft.total_amount == Decimal("30.00") + Decimal("24.69")
    with pytest.raises(ValidationFailed):
        svc.cart_add(by=w.buyer, listing=w.listing, distributor=w.distributor, packs=0)
