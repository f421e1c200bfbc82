"""Set-based statements of traceability: recording a delivery's codes, receiving them by scan, the duplicate check,
and the dispensing import's 回流药 check. Table and column names come from the models' _meta; parameters are named;
the lists of codes travel as arrays and are unnested server-side (one statement per step, whatever the count)."""

from __future__ import annotations

from django.db import connection
from psycopg import sql

from procurement.models import DeliveryLine

from .models import DeliveryCode, DispensingRecord, ProductIdentifier, TraceCode, TraceFlag


def _t(model) -> sql.Identifier:
    return sql.Identifier(model._meta.db_table)


def _run(statement: sql.Composable, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(connection.connection), params)
        return cursor.rowcount


def _fetch(statement: sql.Composable, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(connection.connection), params)
        return cursor.fetchall()


INSERT_CODES = sql.SQL(
    """
    INSERT INTO {codes} (code, kind, identifier, serialised, lot, serial, expiry, product_id, created_at)
    SELECT u.code, u.kind, u.identifier, u.serialised, u.lot, u.serial, u.expiry, u.product_id, %(now)s
    FROM unnest(%(code)s::text[], %(kind)s::text[], %(identifier)s::text[], %(serialised)s::bool[],
                %(lot)s::text[], %(serial)s::text[], %(expiry)s::date[], %(product)s::bigint[])
         AS u(code, kind, identifier, serialised, lot, serial, expiry, product_id)
    ON CONFLICT (code) DO NOTHING
    """
)
"""The identity row of every code not seen before (a code seen before keeps its first row: one per code)."""

INSERT_DELIVERY_CODES = sql.SQL(
    """
    INSERT INTO {dcodes} (trace_code_id, delivery_id, delivery_line_id, hospital_id, product_id, is_pack,
                          recorded_at, recorded_by_id)
    SELECT t.id, %(delivery)s, u.line_id, %(hospital)s, u.product_id, u.is_pack, %(now)s, %(by)s
    FROM unnest(%(code)s::text[], %(line)s::bigint[], %(product)s::bigint[], %(is_pack)s::bool[])
         AS u(code, line_id, product_id, is_pack)
    JOIN {codes} t ON t.code = u.code
    """
)
"""One row per code carried by the delivery, on its delivery line."""

LINK_PARENTS = sql.SQL(
    """
    UPDATE {dcodes} c SET parent_id = x.parent_row
    FROM (
        SELECT (SELECT max(d.id) FILTER (WHERE d.delivery_id = %(delivery)s) FROM {dcodes} d WHERE d.trace_code_id = tc.id)
               AS child_row,
               (SELECT max(d.id) FILTER (WHERE d.delivery_id = %(delivery)s) FROM {dcodes} d WHERE d.trace_code_id = tp.id)
               AS parent_row
        FROM unnest(%(code)s::text[], %(parent)s::text[]) AS u(code, parent)
        JOIN {codes} tc ON tc.code = u.code
        JOIN {codes} tp ON tp.code = u.parent
        WHERE u.parent <> ''
    ) x
    WHERE c.id = x.child_row AND x.parent_row IS NOT NULL
    """
)
"""Case → inner pack → pack: each child points at its parent's row in the same delivery. Driven by the uploaded
codes, each child's and parent's row found by one probe of the code's rows (the trace_code index; the delivery is
the aggregate's filter, so no plan can read the delivery's rows instead). The delivery's rows were written by this
transaction, after the table's statistics: joined on ``delivery_id`` they were planned as one row on each side and,
with 10,000 codes, every row of the delivery was compared with every other — over 8 minutes instead of 2 s."""

UNMARK_PARENTS = sql.SQL(
    """
    UPDATE {dcodes} p SET is_pack = false
    WHERE p.delivery_id = %(delivery)s AND p.is_pack
      AND EXISTS (SELECT 1 FROM {dcodes} c WHERE c.parent_id = p.id)
    """
)
"""A code with children (a case or inner pack recorded earlier) is no longer counted as a pack."""

FLAG_WRONG_PRODUCT = sql.SQL(
    """
    INSERT INTO {flags} (kind, trace_code_id, delivery_id, hospital_id, data, raised_at)
    SELECT 'wrong_product', dc.trace_code_id, dc.delivery_id, dc.hospital_id,
           jsonb_build_object('expected', dc.product_id, 'found', COALESCE(pi.product_id, t.product_id)), %(now)s
    FROM {dcodes} dc
    JOIN {codes} t ON t.id = dc.trace_code_id
    LEFT JOIN {identifiers} pi ON pi.identifier = t.identifier AND t.identifier <> ''
    WHERE dc.delivery_id = %(delivery)s
      AND (pi.product_id <> dc.product_id OR t.product_id <> dc.product_id)
    ON CONFLICT DO NOTHING
    """
)
"""Wrong product: the code's identifier (药品标识码 / GTIN) is registered to another product, or the code was first
delivered as another product."""

RECEIVE = sql.SQL(
    """
    WITH RECURSIVE scanned AS (
        SELECT dc.id FROM {dcodes} dc JOIN {codes} t ON t.id = dc.trace_code_id
        WHERE dc.delivery_id = %(delivery)s AND t.code = ANY(%(codes)s::text[])
    ), tree AS (
        SELECT id FROM scanned
        UNION
        SELECT c.id FROM {dcodes} c JOIN tree ON c.parent_id = tree.id
    )
    UPDATE {dcodes} dc SET received_at = %(now)s
    WHERE dc.id IN (SELECT id FROM tree) AND dc.received_at IS NULL
    """
)
"""Receipt by scan: every scanned code of the delivery and, for a case or inner pack, everything under it."""

UNMATCHED = sql.SQL(
    """
    SELECT u.code FROM unnest(%(codes)s::text[]) AS u(code)
    WHERE NOT EXISTS (
        SELECT 1 FROM {dcodes} dc JOIN {codes} t ON t.id = dc.trace_code_id
        WHERE dc.delivery_id = %(delivery)s AND t.code = u.code)
    ORDER BY u.code
    """
)
"""The scanned codes the delivery does not carry."""

OTHER_DELIVERY = sql.SQL(
    """
    SELECT u.ord FROM unnest(%(codes)s::text[]) WITH ORDINALITY AS u(code, ord)
    JOIN {codes} t ON t.code = u.code
    JOIN LATERAL (
        SELECT bool_or(dc.delivery_id = %(delivery)s) AS here, bool_or(dc.delivery_id <> %(delivery)s) AS elsewhere
        FROM {dcodes} dc WHERE dc.trace_code_id = t.id
    ) x ON true
    WHERE NOT x.here AND x.elsewhere
    ORDER BY u.ord LIMIT 1
    """
)
"""The first scanned code (1-based position) that this delivery does not carry but another delivery does: a pack of
another order (or another delivery of the same order) on the receiving dock. One probe of the code's rows per scan
(the trace_code index), whatever the planner thinks of the delivery's size: written as an anti-join it was
estimated on statistics older than the delivery and compared every scan with every row of the delivery."""

FLAG_DUPLICATE_RECEIPTS = sql.SQL(
    """
    INSERT INTO {flags} (kind, trace_code_id, delivery_id, hospital_id, data, raised_at)
    SELECT 'duplicate_receipt', dc.trace_code_id, dc.delivery_id, dc.hospital_id,
           jsonb_build_object('first_hospital', o.hospital_id, 'first_delivery', o.delivery_id), %(now)s
    FROM {dcodes} dc
    JOIN {codes} t ON t.id = dc.trace_code_id AND t.serialised
    JOIN LATERAL (
        SELECT o.hospital_id, o.delivery_id FROM {dcodes} o
        WHERE o.trace_code_id = dc.trace_code_id AND o.id <> dc.id AND o.received_at IS NOT NULL
        ORDER BY o.received_at, o.id LIMIT 1
    ) o ON true
    WHERE dc.delivery_id = %(delivery)s AND dc.received_at = %(now)s
    ON CONFLICT DO NOTHING
    """
)
"""The duplicate check: a serialised code just received that another delivery (to this or another hospital) had
already brought in. Lot-level UDI (not serialised) is never a duplicate. Served by the (trace_code, received_at)
index: one probe per received code, whatever the number of codes stored."""

LINE_COUNTS = sql.SQL(
    """
    SELECT dl.id, dl.packs,
           COUNT(dc.id) FILTER (WHERE dc.is_pack) AS recorded,
           COUNT(dc.id) FILTER (WHERE dc.is_pack AND dc.received_at IS NOT NULL) AS received
    FROM {lines} dl LEFT JOIN {dcodes} dc ON dc.delivery_line_id = dl.id
    WHERE dl.delivery_id = %(delivery)s
    GROUP BY dl.id, dl.packs ORDER BY dl.id
    """
)
"""Per delivery line: packs delivered, pack codes recorded, pack codes received."""

RETURN_TREE = sql.SQL(
    """
    WITH RECURSIVE roots AS (
        SELECT u.ord, r.id FROM unnest(%(codes)s::text[]) WITH ORDINALITY AS u(code, ord)
        JOIN {codes} t ON t.code = u.code
        JOIN LATERAL (
            SELECT dc.id FROM {dcodes} dc
            WHERE dc.trace_code_id = t.id AND dc.hospital_id = %(hospital)s AND dc.received_at IS NOT NULL
            ORDER BY dc.returned_at IS NULL DESC, dc.received_at DESC, dc.id DESC LIMIT 1
        ) r ON true
    ), tree AS (
        SELECT ord, id FROM roots
        UNION
        SELECT tree.ord, c.id FROM {dcodes} c JOIN tree ON c.parent_id = tree.id
    )
    SELECT tree.ord, dc.id, dc.is_pack, dc.returned_at IS NOT NULL, dc.delivery_line_id
    FROM tree JOIN {dcodes} dc ON dc.id = tree.id
    WHERE dc.received_at IS NOT NULL
    ORDER BY tree.ord, dc.id
    """
)
"""Return by code: each scanned code (1-based position) resolved to the hospital's received row of it (the latest
one not yet returned, when the hospital received the code twice), with everything under it for a case — one row
per node: position, row id, pack or case, returned already, delivery line. A position without rows was not received
by this hospital."""

MARK_RETURNED = sql.SQL(
    """
    UPDATE {dcodes} dc SET returned_at = %(now)s, goods_return_id = u.ret
    FROM unnest(%(ids)s::bigint[], %(ret)s::bigint[]) AS u(id, ret)
    WHERE dc.id = u.id AND dc.returned_at IS NULL
    """
)
"""The returned rows (packs, and the cases scanned or under a scanned case), each with its procurement return."""

INSERT_DISPENSING = sql.SQL(
    """
    INSERT INTO {records} (source_id, code, trace_code_id, organization_id, dispensed_on)
    SELECT %(source)s, u.code, t.id, u.org, u.day
    FROM unnest(%(code)s::text[], %(org)s::bigint[], %(day)s::date[]) AS u(code, org, day)
    LEFT JOIN {codes} t ON t.code = u.code
    """
)
"""The import's rows, each linked to its code's identity row when the platform has seen the code."""

FLAG_RESOLD = sql.SQL(
    """
    INSERT INTO {flags} (kind, trace_code_id, delivery_id, hospital_id, data, raised_at)
    SELECT 'resold', r.trace_code_id, NULL, last.organization_id,
           jsonb_build_object('times', r.times, 'first_organization', first.organization_id,
                              'first_on', first.dispensed_on::text, 'last_on', last.dispensed_on::text), %(now)s
    FROM (
        SELECT d.trace_code_id, COUNT(*) AS times FROM {records} d
        JOIN {codes} t ON t.id = d.trace_code_id AND t.serialised
        WHERE d.trace_code_id IN (SELECT trace_code_id FROM {records} WHERE source_id = %(source)s)
        GROUP BY d.trace_code_id HAVING COUNT(*) > 1
    ) r
    JOIN LATERAL (SELECT organization_id, dispensed_on FROM {records} WHERE trace_code_id = r.trace_code_id
                  ORDER BY dispensed_on, id LIMIT 1) first ON true
    JOIN LATERAL (SELECT organization_id, dispensed_on FROM {records} WHERE trace_code_id = r.trace_code_id
                  ORDER BY dispensed_on DESC, id DESC LIMIT 1) last ON true
    ON CONFLICT (kind, trace_code_id, delivery_id) DO UPDATE SET data = EXCLUDED.data
    """
)
"""回流药: a serialised code dispensed or settled more than once (the national method: one pack is sold once)."""


def tables() -> dict:
    return {
        "codes": _t(TraceCode),
        "dcodes": _t(DeliveryCode),
        "flags": _t(TraceFlag),
        "identifiers": _t(ProductIdentifier),
        "records": _t(DispensingRecord),
        "lines": _t(DeliveryLine),
    }


def run(statement: sql.SQL, **params) -> int:
    """Run one of the statements above with the tables filled in; the number of rows it changed."""
    return _run(statement.format(**tables()), params)


def fetch(statement: sql.SQL, **params) -> list[tuple]:
    return _fetch(statement.format(**tables()), params)
