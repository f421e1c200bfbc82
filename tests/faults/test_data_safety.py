"""Data safety: a database error in the middle of a multi-row service leaves nothing half-written.

Each case lets the service run until a chosen SQL statement (a later row of the same use case), makes the database
refuse that statement, and compares every row of every table of the platform — data, history, audit events and
outbox — with the state before the call. The injection point is asserted to have been reached, so a service that
stops writing there cannot make the test pass by accident.
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import DatabaseError, connection

from catalog.imports.pipeline import import_file
from catalog.imports.report import ImportReport
from procurement.services import deliveries as delivery_svc
from procurement.services import orders as order_svc
from procurement.services import receipts as receipt_svc
from procurement.services import tenders as tender_svc
from procurement.services.tender_demand_import import demand_import
from tests.fixtures.tenders import shift, to_bidding
from tests.procurement.ordering import build_world

SKIPPED_APPS = {"sessions", "contenttypes", "admin", "axes", "django_celery_beat"}


def everything() -> dict[str, list[dict]]:
    """Every row of every table (small test worlds), by model."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in SKIPPED_APPS or not model._meta.managed:
            continue
        state[model._meta.label] = list(model._base_manager.order_by("pk").values())
    return state


class InjectedFailure(DatabaseError):
    pass


@contextmanager
def database_fails_on(pattern: str, nth: int = 1):
    """Make the nth statement matching `pattern` (a regex on the SQL) fail as the database would."""
    seen = {"n": 0}
    regex = re.compile(pattern, re.IGNORECASE | re.DOTALL)

    def wrapper(execute, sql, params, many, context):
        text = sql if isinstance(sql, str) else sql.as_string(context["connection"].connection)  # psycopg.sql
        if regex.search(text):
            seen["n"] += 1
            if seen["n"] == nth:
                raise InjectedFailure(f"injected failure at: {text[:120]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen
    assert seen["n"] >= nth, f"the service never reached the statement {pattern!r} #{nth}"


def assert_fails_and_nothing_changes(call, pattern: str, nth: int = 1, *, reported=None):
    """The call raises the database error — or, with `reported`, returns a result that `reported` accepts as a
    clear failure (an import reports the rows it could not write) — and no table changed."""
    before = everything()
    if reported is None:
        with pytest.raises(DatabaseError), database_fails_on(pattern, nth):
            call()
    else:
        with database_fails_on(pattern, nth):
            result = call()
        assert reported(result), result
    after = everything()
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, f"half-written: {changed}"


def _expiry():
    from django.utils import timezone

    return (timezone.localdate() + timedelta(days=700)).isoformat()


# --- orders, deliveries, receipts -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_order_submission_fails_whole_on_its_audit_event():
    w = build_world()
    assert_fails_and_nothing_changes(
        lambda: order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(), submit=True),
        r'INSERT INTO "procurement_orderevent"',
        nth=1,  # the event, after the order and its lines
    )


@pytest.mark.django_db
def test_submitting_a_draft_fails_whole_on_its_second_line():
    w = build_world()
    draft = order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines())
    # Prices are frozen on the lines first (one UPDATE), then the order, then its event: the event fails.
    assert_fails_and_nothing_changes(
        lambda: order_svc.order_submit(order=draft, by=w.buyer), r'INSERT INTO "procurement_orderevent"', nth=1
    )


@pytest.mark.django_db
def test_a_receipt_fails_whole_on_the_order_lines_update():
    w = build_world()
    order = order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(), submit=True)
    order = order_svc.order_accept(order=order, by=w.dist_rep)
    delivery = delivery_svc.delivery_create(
        order=order,
        by=w.dist_rep,
        invoice_number="INV-DS-1",
        lines=[
            {"order_line": line.pk, "packs": line.packs, "batch_number": f"B{line.pk}", "expiry_date": _expiry()}
            for line in order.lines.order_by("line_no")
        ],
    )
    assert_fails_and_nothing_changes(
        lambda: receipt_svc.receipt_create(delivery=delivery, by=w.buyer),
        r'UPDATE "procurement_purchaseorderline"',
        nth=2,
    )


@pytest.mark.django_db
def test_a_delivery_fails_whole_on_its_second_line():
    w = build_world()
    order = order_svc.order_create(by=w.buyer, distributor=w.distributor, lines=w.lines(), submit=True)
    order = order_svc.order_accept(order=order, by=w.dist_rep)
    lines = [
        {"order_line": line.pk, "packs": line.packs, "batch_number": f"B{line.pk}", "expiry_date": _expiry()}
        for line in order.lines.order_by("line_no")
    ]
    assert_fails_and_nothing_changes(
        lambda: delivery_svc.delivery_create(order=order, by=w.dist_rep, invoice_number="INV-DS-2", lines=lines),
        r'UPDATE "procurement_purchaseorderline"',
        nth=2,
    )


# --- bids: opening, evaluation, awards ---------------------------------------------------------------------------
def _bids_in(w):
    to_bidding(w)
    lot, reps, products = w["lot"], w["reps"], w["products"]
    tender_svc.bid_submit(lot=lot, product=products[0], price="0.5000", supply_capacity=500000, by=reps[0])
    tender_svc.bid_submit(lot=lot, product=products[1], price="0.8000", supply_capacity=500000, by=reps[1])
    tender_svc.bid_submit(lot=lot, product=w["half"], price="0.3000", supply_capacity=500000, by=reps[2])
    shift(w["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))


@pytest.mark.django_db
def test_bid_opening_fails_whole_on_the_audit_event(world):
    _bids_in(world)  # opening: bids decrypted (one UPDATE), tender status, its history, then the audit event
    assert_fails_and_nothing_changes(
        lambda: tender_svc.tender_open_bids(tender=world["tender"], by=world["official"]),
        r'INSERT INTO "common_auditevent"',
        nth=1,
    )


@pytest.mark.django_db
def test_bid_opening_fails_whole_on_the_tender_status(world):
    _bids_in(world)
    assert_fails_and_nothing_changes(
        lambda: tender_svc.tender_open_bids(tender=world["tender"], by=world["official"]),
        r'UPDATE "procurement_tender"',
        nth=1,
    )


@pytest.mark.django_db
def test_evaluation_fails_whole_on_the_bid_statuses(world):
    _bids_in(world)
    tender_svc.tender_open_bids(tender=world["tender"], by=world["official"])
    assert_fails_and_nothing_changes(
        lambda: tender_svc.tender_evaluate(tender=world["tender"], by=world["official"]),
        r'UPDATE "procurement_bid"',
        nth=1,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        r'INSERT INTO "procurement_listing"',  # after the awards
        r'INSERT INTO "procurement_commitment" ',  # set-based, after awards and listings
        r'UPDATE "procurement_tender"',  # the status, after everything else
        r'INSERT INTO "common_auditevent"',  # the very last statement
    ],
)
def test_awards_fail_whole_when_a_later_statement_fails(world, statement):
    _bids_in(world)
    tender_svc.tender_open_bids(tender=world["tender"], by=world["official"])
    tender_svc.tender_evaluate(tender=world["tender"], by=world["official"])
    assert_fails_and_nothing_changes(
        lambda: tender_svc.tender_award(tender=world["tender"], by=world["official"]), statement, nth=1
    )


# --- imports -----------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_catalog_import_fails_whole_on_a_later_batch():
    from tests.catalog.test_bad_input import csv_bytes
    from tests.catalog.test_import_nhsa import HEADERS, ROWS

    data = csv_bytes(HEADERS, ROWS)
    assert len(ROWS) >= 4

    def run():
        return import_file(io.BytesIO(data), name="f.csv", layout="nhsa", report=ImportReport(), batch_size=2)

    # Each batch is stored once checked: the second batch's ids cannot be drawn from the sequence (the statement
    # before its products' and history rows' COPY), after the first batch's products and history rows went in.
    assert_fails_and_nothing_changes(
        run,
        r"nextval\(",
        nth=2,
        reported=lambda result: not result.written and "写入数据库时出错" in (result.file_error or ""),
    )


@pytest.mark.django_db
def test_a_demand_import_fails_whole_on_a_later_row(world):
    tender_svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    world["tender"].refresh_from_db()
    h = world["hospitals"]
    head = "批次编号,品种编号,医疗机构统一社会信用代码,医疗机构名称,年度需求量,指定产品医保代码\n"
    content = (head + "".join(f"NMG-T-01,01,{x.uscc},,{1000 * (i + 1)},\n" for i, x in enumerate(h))).encode()
    assert_fails_and_nothing_changes(
        lambda: demand_import(tender=world["tender"], by=world["official"], content=content, filename="d.csv"),
        r'INSERT INTO "procurement_(historical)?demandreport"',
        nth=2,
    )
