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
