import pytest

from catalog.models import Product
from tests.catalog.test_search import make
from tests.utils import api_as


@pytest.fixture
def product(db):
    return make("复方丹参片", "ZA04BAL0145010102390", category="chinese_patent")


@pytest.mark.django_db
def test_search_list_detail_and_history(purchaser, product, django_assert_max_num_queries):
    client = api_as(purchaser)
    for index in range(15):
        make(f"测试药品{index}片", f"XA01ABD075A0020101{index:05d}", maker=product.manufacturer)
    with django_assert_max_num_queries(8):
        listing = client.get("/api/v1/products/?q=ffdsp")
    assert listing.status_code == 200
    assert listing.json()["results"][0]["nhsa_code"] == "ZA04BAL0145010102390"
    with django_assert_max_num_queries(8):
        everything = client.get("/api/v1/products/?page_size=50")
    assert everything.json()["count"] == 16
    detail = client.get(f"/api/v1/products/{product.pk}/").json()
    assert detail["manufacturer_name"] == product.manufacturer.name and detail["category_label"] == "中成药"
    history = client.get(f"/api/v1/products/{product.pk}/history/").json()
    assert [h["type"] for h in history] == ["+"]


@pytest.mark.django_db
def test_purchaser_cannot_change_the_catalog(purchaser, product):
    response = api_as(purchaser).patch(f"/api/v1/products/{product.pk}/", {"shortage": True}, format="json")
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.shortage is False


@pytest.mark.django_db
def test_official_changes_a_product_and_the_history_shows_it(official, product):
    client = api_as(official)
    response = client.patch(f"/api/v1/products/{product.pk}/", {"shortage": True}, format="json")
    assert response.status_code == 200 and response.json()["shortage"] is True
    history = client.get(f"/api/v1/products/{product.pk}/history/").json()
    assert history[0]["user"] == "official" and history[0]["type"] == "~"
    assert history[0]["changes"] == [{"field": "shortage", "label": "短缺药品", "old": "False", "new": "True"}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload, field, code, fragment",
    [
        ({"nhsa_code": "XA01ABD075A002010100483"}, "nhsa_code", "invalid_code", "应以 Z 开头"),
        ({"pack_size": 0}, "pack_size", "invalid_pack_size", "应大于 0"),
        (
            {"insurance_class": "B", "category": "mongolian_patent"},
            "insurance_class",
            "invalid_insurance_class",
            "不能为乙类",
        ),
        ({"name_mn": "Mongol"}, "name_mn", "invalid_mongolian_name", "拉丁字母"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(official, product, payload, field, code, fragment):
    before = Product.objects.values().get(pk=product.pk)
    response = api_as(official).patch(f"/api/v1/products/{product.pk}/", payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, field) and fragment in body["detail"]
    assert Product.objects.values().get(pk=product.pk) == before


@pytest.mark.django_db
def test_create_rejects_a_code_already_held(official, product):
    payload = {
        "category": "chinese_patent",
        "nhsa_code": product.nhsa_code,
        "generic_name": "重复",
        "pack_size": 10,
        "min_unit": "片",
        "pack_unit": "盒",
        "manufacturer_id": product.manufacturer_id,
        "approval_number": "国药准字Z20025001",
    }
    response = api_as(official).post("/api/v1/products/", payload, format="json")
    assert response.status_code == 400 and response.json()["code"] == "duplicate_code"
    assert "已被产品" in response.json()["detail"]
    assert Product.objects.count() == 1


@pytest.mark.django_db
def test_unknown_manufacturer_is_a_clear_error_not_a_crash(official, product):
    response = api_as(official).patch(f"/api/v1/products/{product.pk}/", {"manufacturer_id": 999999}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "manufacturer"
    assert response.json()["code"] == "manufacturer_not_found" and "不存在" in response.json()["detail"]
    product.refresh_from_db()
    assert product.manufacturer_id != 999999


@pytest.mark.django_db
def test_a_hospital_cannot_be_the_manufacturer(official, product, hospital):
    response = api_as(official).patch(
        f"/api/v1/products/{product.pk}/", {"manufacturer_id": hospital.pk}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "not_a_manufacturer"
