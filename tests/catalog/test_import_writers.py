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

    monkeypatch.setattr(writers.sql, "HISTORIES", psql.Identifier("catalog_no_such_history"))
    tracked = [column for _, column in writers._HISTORY_TRACKED]
    monkeypatch.setattr(writers, "_HISTORY_OF_NEW", writers.sql.history_of_new(tracked))
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
