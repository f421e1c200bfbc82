"""common.rows: instances read by a hand-written SELECT are the ORM's, value for value and type for type (the
fields' database converters applied, as the ORM applies them)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import Product
from common.rows import Columns, attach, read_by_id
from procurement.models import Listing, OrderEvent
from tests.factories import ListingFactory, PurchaseOrderFactory


def _select(columns: Columns, where_id: int, join_product: bool = False, products: Columns | None = None) -> tuple:
    qn = connection.ops.quote_name
    table = columns.model._meta.db_table
    selected = columns.select(table)
    join = ""
    if join_product:
        product = Product._meta.db_table
        selected += ", " + products.select(product)
        join = f" JOIN {qn(product)} ON {qn(product)}.{qn('id')} = {qn(table)}.{qn('product_id')}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selected} FROM {qn(table)}{join} WHERE {qn(table)}.{qn('id')} = %s", [where_id])
        return cursor.fetchone()


@pytest.mark.django_db
def test_a_whole_row_reads_as_the_orm_reads_it():
    listing = ListingFactory(unit_price=Decimal("3.0000"), valid_from=date(2026, 1, 1))
    columns = Columns(Listing)
    made = columns.make(_select(columns, listing.pk))
    orm = Listing.objects.get(pk=listing.pk)
    assert not made._state.adding and made._state.db == "default"
    for field in Listing._meta.concrete_fields:
        ours, theirs = getattr(made, field.attname), getattr(orm, field.attname)
        assert ours == theirs and type(ours) is type(theirs), field.name
    assert made.unit_price == Decimal("3.0000") and str(made.unit_price) == str(orm.unit_price)
    assert made.get_deferred_fields() == set()


@pytest.mark.django_db
def test_some_columns_leave_the_rest_deferred_and_a_related_row_attaches(django_assert_num_queries):
    listing = ListingFactory()
    listings, products = Columns(Listing), Columns(Product, ("generic_name", "pack_size", "is_active"))
    row = _select(listings, listing.pk, join_product=True, products=products)
    made = listings.make(row)
    attach(made, "product", products.make(row, len(listings)))
    with django_assert_num_queries(0):
        assert made.product.generic_name == listing.product.generic_name
        assert made.product.pack_size == listing.product.pack_size
        assert made.product.is_active is True
    assert "specification" in made.product.get_deferred_fields()
    with django_assert_num_queries(1):  # a deferred field loads on access, as after .only()
        assert made.product.specification == listing.product.specification


@pytest.mark.django_db
def test_json_columns_are_decoded():
    order = PurchaseOrderFactory()
    event = OrderEvent.objects.create(order=order, action="created", to_status="draft", data={"lines": 2, "名": "甲"})
    columns = Columns(OrderEvent)
    made = columns.make(_select(columns, event.pk))
    assert made.data == {"lines": 2, "名": "甲"}
    assert made.at == OrderEvent.objects.get(pk=event.pk).at


def test_an_unknown_field_is_refused():
    with pytest.raises(ValueError, match="no concrete field"):
        Columns(Product, ("generic_name", "no_such_field"))


@pytest.mark.django_db
def test_read_by_id_reads_a_related_row_and_converts_expressions(django_assert_num_queries, hospital):
    from django.db.models import BooleanField, IntegerField
    from django.db.models.expressions import RawSQL

    from accounts.models import Organization, Region

    orphan = Organization.objects.create(kind="manufacturer", name="无地区制药")
    extra = {
        "hospital_kind": RawSQL("accounts_organization.kind = %s", ["hospital"], output_field=BooleanField()),
        "twice": RawSQL("accounts_organization.id * 2", [], output_field=IntegerField()),
    }
    with django_assert_num_queries(1):
        found = read_by_id(
            Columns(Organization),
            [hospital.pk, orphan.pk, hospital.pk, -1],
            related=("region", Columns(Region, ("code", "name"))),
            extra=extra,
        )
        assert set(found) == {hospital.pk, orphan.pk}
        assert found[hospital.pk].region.code == hospital.region.code
        assert found[orphan.pk].region is None
    assert found[hospital.pk].hospital_kind is True and found[orphan.pk].hospital_kind is False
    assert found[hospital.pk].twice == hospital.pk * 2
    assert read_by_id(Columns(Organization), []) == {}
