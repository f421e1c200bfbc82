"""Pages and API of listing applications and qualifications: the manufacturer applies, the official reviews;
another organisation's application is not found; bad input is shown on the field and writes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from procurement.models import Listing, ListingApplication
from qualifications.models import Qualification
from tests.factories import (
    AgencyFactory,
    DistributorFactory,
    ManufacturerFactory,
    ProductFactory,
    QualificationFactory,
    UserFactory,
    league,
    qualify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    maker = ManufacturerFactory(name="页面测试蒙药制药有限公司")
    product = ProductFactory(manufacturer=maker, generic_name="扎冲十三味丸", pack_size=10)
    qualify(product)
    return {
        "maker": maker,
        "product": product,
        "rep": UserFactory(username="p_rep", organization=maker, roles=["manufacturer_rep"]),
        "official": UserFactory(username="p_official", organization=AgencyFactory(), roles=["pricing_official"]),
        "distributor": DistributorFactory(name="页面测试配送有限公司"),
    }


def test_manufacturer_applies_on_the_page_and_official_approves(client, world):
    client.force_login(world["rep"])
    response = client.get(f"/listings/applications/new/?kind=new&product={world['product'].pk}")
    assert response.status_code == 200 and "data-basis" in response.content.decode()
    response = client.post(
        "/listings/applications/new/?kind=new",
        {
            "product": world["product"].pk,
            "pack_price": "２５．００",
            "distributors": [world["distributor"].pk],
            "regions": [league("150100").pk],
            "action": "submit",
            "document": SimpleUploadedFile("授权书.pdf", b"%PDF-1.4", content_type="application/pdf"),
        },
    )
    application = ListingApplication.objects.get()
    assert response.status_code == 302 and application.status == "submitted"
    assert application.pack_price == Decimal("25.00") and application.documents.count() == 1
    assert client.get("/listings/applications/").status_code == 200

    client.force_login(world["official"])
    queue = client.get("/listings/applications/").content.decode()
    assert f'data-application="{application.pk}"' in queue
    response = client.post(f"/listings/applications/{application.pk}/", {"action": "approve", "note": "同意"})
    assert response.status_code == 302
    assert Listing.objects.get(product=world["product"]).pack_price == Decimal("25.00")


def test_page_shows_a_missing_licence_on_its_field_and_writes_nothing(client, world):
    bare = ProductFactory(manufacturer=world["maker"], generic_name="如意珍宝丸")
    Qualification.objects.filter(organization=world["maker"]).delete()
    client.force_login(world["rep"])
    response = client.post(
        "/listings/applications/new/?kind=new",
        {
            "product": bare.pk,
            "pack_price": "10",
            "distributors": [world["distributor"].pk],
            "regions": [league("150100").pk],
            "action": "submit",
        },
    )
    assert response.status_code == 200
    assert "药品生产许可证" in response.content.decode()
    assert ListingApplication.objects.count() == 0


def test_api_create_submit_and_review(client, world):
    client.force_login(world["rep"])
    body = {
        "kind": "new",
        "product": world["product"].pk,
        "pack_price": "25.00",
        "distributors": [world["distributor"].pk],
        "regions": ["150100"],
        "submit": True,
    }
    response = client.post("/api/v1/listing-applications/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    basis = client.get(f"/api/v1/listing-applications/price-basis/?product={world['product'].pk}")
    assert basis.status_code == 200 and "ceiling" in basis.json()
    response = client.post(f"/api/v1/listing-applications/{pk}/approve/", {}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"

    client.force_login(world["official"])
    response = client.post(f"/api/v1/listing-applications/{pk}/return/", {"note": ""}, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "note"
    response = client.post(
        f"/api/v1/listing-applications/{pk}/approve/", {"note": "同意"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = client.post(f"/api/v1/listing-applications/{pk}/approve/", {}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "application_decided"


def test_api_other_makers_application_is_not_found(client, world):
    other = UserFactory(organization=ManufacturerFactory(), roles=["manufacturer_rep"])
    client.force_login(world["rep"])
    body = {"kind": "new", "product": world["product"].pk, "pack_price": "25"}
    pk = client.post("/api/v1/listing-applications/", body, content_type="application/json").json()["id"]
    client.force_login(other)
    assert client.get(f"/api/v1/listing-applications/{pk}/").status_code == 404
    assert client.post(f"/api/v1/listing-applications/{pk}/submit/").status_code == 404
    assert client.get(f"/listings/applications/{pk}/").status_code == 404
    response = client.post(
        "/api/v1/listing-applications/",
        {"kind": "new", "product": world["product"].pk, "pack_price": "25", "submit": True},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "not_own_product"
    assert ListingApplication.objects.count() == 1


def test_qualification_pages_and_api(client, world):
    client.force_login(world["rep"])
    today = timezone.localdate()
    response = client.post(
        "/qualifications/",
        {
            "kind": "business_licence",
            "number": "91150100MA0000001X",
            "valid_from": today.isoformat(),
            "document": SimpleUploadedFile("执照.png", b"\x89PNG", content_type="image/png"),
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/api/v1/qualifications/",
        {"kind": "drug_distribution", "number": "蒙AA001", "valid_from": today.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "kind"
    assert client.get("/api/v1/qualifications/").json()["count"] == 3
    QualificationFactory(valid_to=today + timedelta(days=10))
    client.force_login(world["official"])
    assert client.get("/qualifications/").status_code == 302
    page = client.get("/qualifications/expiring/").content.decode()
    assert "data-qualification" in page
    assert len(client.get("/api/v1/qualifications/expiring/").json()) == 1
