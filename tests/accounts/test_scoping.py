"""A user never sees another organisation's rows, through the API or the pages; officials see all."""

import pytest
from django.test import Client

from tests.utils import api_as


@pytest.mark.django_db
def test_api_lists_only_own_organization(purchaser, other_hospital, manufacturer):
    response = api_as(purchaser).get("/api/v1/organizations/")
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [purchaser.organization_id]


@pytest.mark.django_db
def test_api_detail_of_another_organization_is_404_and_reveals_nothing(purchaser, other_hospital):
    response = api_as(purchaser).get(f"/api/v1/organizations/{other_hospital.pk}/")
    assert response.status_code == 404
    assert other_hospital.name not in response.content.decode()
    missing = api_as(purchaser).get("/api/v1/organizations/999999/")
    assert missing.status_code == 404 and missing.json() == response.json()


@pytest.mark.django_db
def test_api_users_only_of_own_organization(purchaser, other_purchaser):
    response = api_as(purchaser).get("/api/v1/users/")
    names = [row["username"] for row in response.json()["results"]]
    assert names == ["purchaser"]
    assert api_as(purchaser).get(f"/api/v1/users/{other_purchaser.pk}/").status_code == 404


@pytest.mark.django_db
def test_official_sees_every_organization(official, hospital, other_hospital, manufacturer):
    response = api_as(official).get("/api/v1/organizations/?page_size=500")
    ids = {row["id"] for row in response.json()["results"]}
    assert {hospital.pk, other_hospital.pk, manufacturer.pk, official.organization_id} <= ids


@pytest.mark.django_db
def test_pages_are_scoped_too(purchaser, other_hospital):
    client = Client()
    client.force_login(purchaser)
    listing = client.get("/accounts/organizations/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert purchaser.organization.name in html and other_hospital.name not in html
    assert client.get(f"/accounts/organizations/{other_hospital.pk}/").status_code == 404
    assert client.get(f"/accounts/organizations/{purchaser.organization_id}/").status_code == 200


@pytest.mark.django_db
def test_user_without_organization_sees_nothing(db):
    from tests.factories import UserFactory

    orphan = UserFactory(username="orphan", organization=None, roles=[])
    assert api_as(orphan).get("/api/v1/organizations/").json()["results"] == []


@pytest.mark.django_db
def test_me_endpoint_reports_roles_and_portals(purchaser):
    data = api_as(purchaser).get("/api/v1/users/me/").json()
    assert data["roles"] == ["purchaser"] and data["portals"] == ["purchaser"]
    assert data["organization"]["id"] == purchaser.organization_id


@pytest.mark.django_db
def test_token_authentication(purchaser):
    from rest_framework.test import APIClient

    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": "purchaser", "password": "pw-123456"}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/users/me/").json()["username"] == "purchaser"
