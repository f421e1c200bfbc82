"""The COPY writer stores exactly what django-simple-history's bulk helpers store (the reference writer)."""

import io

import pytest
from django.db import transaction

from catalog.imports.pipeline import import_file
from catalog.imports.report import ImportReport
from catalog.models import Product
from tests.catalog.test_import_nhsa import HEADERS, ROWS, SAMPLE, edited, to_csv

SKIP = {"id", "created_at", "updated_at", "history_id", "history_date"}


class Undo(Exception):
    pass


def stored():
    # Organisations are created anew in each run, so manufacturers are compared by name.
    def names(model):
        return [
            ("manufacturer__name" if f.attname == "manufacturer_id" else f.attname)
            for f in model._meta.concrete_fields
            if f.attname not in SKIP
        ]

    fields, history = names(Product), names(Product.history.model)
    products = list(Product.objects.order_by("nhsa_code").values_list(*fields))
    histories = list(Product.history.order_by("nhsa_code", "history_type").values_list(*history))
    linked = Product.history.exclude(id__in=Product.objects.values("id")).count()
    return products, histories, linked


def import_with(writer: str, user) -> tuple:
    changed = to_csv(HEADERS, [edited(ROWS[0], 最小包装数量="48", 规格="0.5mg")] + ROWS[1:])
    try:
        with transaction.atomic():
            for data in (SAMPLE.read_bytes(), changed):
                result = import_file(
                    io.BytesIO(data),
                    name="x.csv",
                    layout="nhsa",
                    writer=writer,
                    by=user,
                    report=ImportReport(),
                    reason="对比",
                )
                assert result.ok, result.summary()
            snapshot = stored()
            raise Undo
    except Undo:
        return snapshot


@pytest.mark.django_db
def test_copy_and_orm_writers_store_the_same_products_and_history(platform_admin):
    orm = import_with("orm", platform_admin)
    copy = import_with("copy", platform_admin)
    assert orm[0] == copy[0] and len(orm[0]) == 11
    assert orm[1] == copy[1] and len(orm[1]) == 12  # 11 created ("+") and 1 changed ("~")
    assert orm[2] == copy[2] == 0  # every history row names a stored product
    changed = [h for h in copy[1] if "~" in h]
    assert len(changed) == 1 and 48 in changed[0] and "0.5mg" in changed[0]


@pytest.mark.django_db
def test_the_copy_writer_leaves_ids_the_orm_can_keep_using():
    import_file(io.BytesIO(SAMPLE.read_bytes()), name="x.csv", layout="nhsa", writer="copy", report=ImportReport())
    from tests.factories import ProductFactory

    later = ProductFactory(nhsa_code="XA01ABD075A002019900001")  # the sequence moved past the COPY's ids
    assert later.pk > max(Product.objects.exclude(pk=later.pk).values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_batch_the_database_refuses_fails_the_file_and_the_rest_is_still_checked(monkeypatch):
    """The COPY runs on the import's own thread: its error reaches the report, naming the batch's rows, the batch's
    savepoint is rolled back so the later rows are still checked, and nothing is stored."""
    from psycopg import sql as psql

    from catalog.imports import writers
    from tests.catalog.test_import_nhsa import errors_of

    tracked = [column for _, column in writers._HISTORY_TRACKED]
    missing = writers.sql.copy_into(psql.Identifier("catalog_no_such_history"), [*tracked, *writers._HISTORY_EXTRA])
    monkeypatch.setattr(writers, "_COPY_HISTORY", missing)
    rows = ROWS[:6] + [edited(ROWS[6], 最小包装数量="0")] + ROWS[7:]
    lines = []
    result = import_file(
        io.BytesIO(to_csv(HEADERS, rows)),
        name="x.csv",
        layout="nhsa",
        batch_size=2,
        report=ImportReport(on_line=lines.append),
    )
    assert not result.written and not result.ok
    assert result.file_error.startswith("第 2–3 行写入数据库时出错")  # the first batch, rows 2 and 3 of the file
    assert "catalog_no_such_history" in result.file_error
    rows_refused = {row: detail for row, detail in errors_of(lines).items() if row is not None}
    assert rows_refused == {8: "最小包装数量：最小包装数量应大于 0，实际为 0"}  # a later batch, still checked
    assert Product.objects.count() == 0 and Product.history.count() == 0


@pytest.mark.django_db
def test_every_row_of_one_import_carries_the_same_time():
    result = import_file(
        io.BytesIO(SAMPLE.read_bytes()), name="x.csv", layout="nhsa", batch_size=2, report=ImportReport()
    )
    assert result.ok and result.counts["new"] == len(ROWS)
    stamps = set(Product.objects.values_list("created_at", "updated_at"))
    (created, updated), *others = stamps
    assert not others and created == updated
    assert set(Product.history.values_list("history_date", flat=True)) == {created}


TRICKY = [
    (1, "plain", 24, True, None, None, "1.50", [1, 2]),
    (2, "tab\there, new\nline\r\\back\\slash \b\f\v", 24, False, "2026-12-07 08:00:00+08", "2026-12-07", None, None),
    (3, "", 0, True, "2026-12-07 08:00:00.123456+00", None, "0.0001", []),
    (4, None, None, None, None, "2025-01-31", "12345678.90", [3]),
    (5, "plain", 24, True, None, None, "1.50", [1, 2]),  # a row repeating the first: each value dumped once
    (6, "蒙古文 ᠮᠣᠩᠭᠣᠯ \u202f无", 7, False, None, None, None, None),
]


def _copy_columns(cursor, statement: str, values: list[list]) -> None:
    """COPY rows given as columns the way the import builds its buffer: each column as COPY text, then joined."""
    from catalog.imports import writers

    dump = writers._Dump(cursor)
    with cursor.copy(statement) as copy:
        copy.write(writers._copy_text([dump.column(column) for column in values]))


@pytest.mark.django_db
def test_columns_are_copied_as_write_row_copies_them():
    """The new products' COPY text (one buffer, each distinct value of a column dumped once) stores what psycopg's
    ``write_row`` stores: text with every character COPY escapes, NULLs, numbers, flags, times and dates given as Python values, a
    column mixing 1 and True, a column of unhashable values."""
    import datetime
    from decimal import Decimal

    from django.db import connection

    from catalog.imports import writers

    def value(column, raw):
        if raw is None:
            return None
        if column == 4:
            return datetime.datetime.fromisoformat(raw)
        if column == 5:
            return datetime.date.fromisoformat(raw)
        return Decimal(raw) if column == 6 else raw

    rows = [tuple(value(i, v) for i, v in enumerate(row)) for row in TRICKY]
    mixed = [1, True, 2, False, 1, 0]  # 1 and True: equal keys, not the same text ("1", "t")
    table = "k int, t text, n int, f boolean, at timestamptz, d date, x numeric, a int[], m text"
    with connection.cursor() as cursor:
        for name in ("by_rows", "by_columns"):
            cursor.execute(f"CREATE TEMPORARY TABLE {name} ({table})")
        columns = ["k", "t", "n", "f", "at", "d", "x", "a", "m"]
        full = [(*row, m) for row, m in zip(rows, mixed, strict=True)]
        writers._copy(cursor.cursor, psql_identifier("by_rows"), columns, iter(full))
        statement = writers.sql.copy_into(psql_identifier("by_columns"), columns).as_string(cursor.cursor)
        _copy_columns(cursor.cursor, statement, [list(c) for c in zip(*full, strict=True)])
        read = "SELECT k, t, n, f, at, d, x, a, m FROM {} ORDER BY k"
        cursor.execute(read.format("by_rows"))
        by_rows = cursor.fetchall()
        cursor.execute(read.format("by_columns"))
        assert cursor.fetchall() == by_rows and len(by_rows) == len(TRICKY)
        assert by_rows[1][1] == TRICKY[1][1] and by_rows[3][1] is None
        assert [row[-1] for row in by_rows] == ["1", "t", "2", "f", "1", "0"]


@pytest.mark.django_db
def test_a_text_with_a_nul_is_refused_as_write_row_refuses_it():
    import psycopg
    from django.db import connection

    from catalog.imports import writers

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE nul (t text)")
        statement = writers.sql.copy_into(psql_identifier("nul"), ["t"]).as_string(cursor.cursor)
        with pytest.raises(psycopg.DataError, match="NUL"):
            _copy_columns(cursor.cursor, statement, [["fine", "not\x00fine"]])


def psql_identifier(name: str):
    from psycopg import sql as psql

    return psql.Identifier(name)


def test_a_batch_of_new_products_in_parts_is_every_field_with_its_default():
    from catalog.imports.pipeline import _DEFAULTS
    from catalog.imports.writers import NEW_FIELDS
    from catalog.imports.writers import new_products as _new_products

    one = {"nhsa_code": ["A", "B"], "generic_name": ["甲", "乙"], "pack_size": [10, 20]}
    two = {"nhsa_code": ["C"], "generic_name": ["丙"], "shortage": [True]}
    merged = _new_products([(2, one), (0, {}), (1, two)])
    assert list(merged) == list(NEW_FIELDS)
    assert merged["nhsa_code"] == ["A", "B", "C"] and merged["generic_name"] == ["甲", "乙", "丙"]
    assert merged["pack_size"] == [10, 20, _DEFAULTS["pack_size"]]
    assert merged["shortage"] == [_DEFAULTS["shortage"]] * 2 + [True]
    alone = _new_products([(1, two)])
    assert list(alone) == list(NEW_FIELDS) and alone["is_active"] == [_DEFAULTS["is_active"]]
    assert _new_products([(0, {})]) == {}


@pytest.mark.django_db
def test_the_first_import_moves_the_start_up_objects_out_of_full_collections_once(monkeypatch):
    from catalog.imports import collector

    frozen = []
    monkeypatch.setattr(collector, "_frozen", False)
    monkeypatch.setattr(collector.gc, "freeze", lambda: frozen.append(True))
    for _ in range(2):
        import_file(io.BytesIO(SAMPLE.read_bytes()), name="x.csv", layout="nhsa", dry_run=True, report=ImportReport())
    assert frozen == [True]


@pytest.mark.django_db
@pytest.mark.parametrize("by_admin", [True, False])
def test_the_history_rows_of_new_products_are_copied_with_the_ids_drawn_for_them(platform_admin, by_admin):
    """New products' ids are drawn before their COPY, ascending in code order as the column's default gives them,
    and each history row is COPYed from the same text: the product's tracked fields and id, its creation time, the
    reason (COPY's special characters in it kept), "+" and the user (none from the command line)."""
    reason = "对比\t含\\反斜杠\n换行"
    user = platform_admin if by_admin else None
    result = import_file(
        io.BytesIO(SAMPLE.read_bytes()),
        name="x.csv",
        layout="nhsa",
        writer="copy",
        by=user,
        report=ImportReport(),
        reason=reason,
    )
    assert result.ok, result.summary()
    tracked = [f.attname for f in Product.history.model.tracked_fields]
    products = list(Product.objects.order_by("nhsa_code").values(*tracked))
    assert len(products) == 11 and [p["id"] for p in products] == sorted(p["id"] for p in products)
    histories = list(
        Product.history.order_by("nhsa_code").values(
            *tracked, "history_date", "history_change_reason", "history_type", "history_user_id"
        )
    )
    assert [{f: h[f] for f in tracked} for h in histories] == products
    assert {
        (h["history_date"], h["history_change_reason"], h["history_type"], h["history_user_id"]) for h in histories
    } == {(products[0]["created_at"], reason, "+", platform_admin.pk if by_admin else None)}


@pytest.mark.django_db
def test_one_statement_records_a_batchs_codes_and_reads_the_products_holding_them():
    """``SeenCodes.add`` (the codes recorded and the products holding them read by one statement): no product held,
    some held, a code an earlier batch brought named with its first row — and the products it holds still read."""
    from catalog.imports import sql
    from catalog.imports.seen import SeenCodes
    from tests.factories import ProductFactory

    held = ProductFactory(nhsa_code="XA01ABD075A002010100001")
    seen = SeenCodes(sql.add_seen_holding(["id", "nhsa_code"]))
    assert seen.add({"XA01ABD075A002010199998": 2, "XA01ABD075A002010199999": 3}) == ({}, [])
    assert seen.add({"XA01ABD075A002010100001": 4, "XA01ABD075A002010199997": 5}) == (
        {},
        [(held.pk, "XA01ABD075A002010100001")],
    )
    assert seen.add({"XA01ABD075A002010199999": 6, "XA01ABD075A002010100001": 7}) == (
        {"XA01ABD075A002010199999": 3, "XA01ABD075A002010100001": 4},
        [(held.pk, "XA01ABD075A002010100001")],
    )
    assert seen.add({}) == ({}, [])
