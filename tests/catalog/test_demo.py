import pytest

from catalog.codes import Category
from catalog.models import Product
from catalog.rules import clean_product_fields
from catalog.services import EDITABLE_FIELDS


@pytest.mark.django_db
def test_demo_catalog_covers_every_category_and_passes_the_rules(demo_province):
    products = Product.objects.all()
    assert products.count() >= 300
    counts = {category: products.filter(category=category).count() for category in Category.values}
    assert all(counts.values()), counts
    assert counts["mongolian_patent"] + counts["mongolian_pieces"] >= 30
    assert counts["tcm_pieces"] >= 20
    assert products.filter(high_value=True).exclude(high_value_class="").count() >= 10
    assert products.filter(shortage=True).exists() and products.filter(negotiated=True).exists()
    assert products.filter(generic_name="复方丹参片").exists()
    assert not products.filter(mongolian_medicine=True).exclude(insurance_class="A").exists()
    for product in products.select_related("manufacturer"):
        data = {f: getattr(product, f) for f in EDITABLE_FIELDS if f not in ("manufacturer", "preparing_hospital")}
        data["preparing_hospital_id"] = product.preparing_hospital_id
        _, errors = clean_product_fields(data)
        assert not errors, (product.nhsa_code, errors)
