"""API tokens: stored hashed, every one expires (a sign-in token when idle, an integration token on its date, never
past the configured maximum), several per user, listed and revoked by their owner only, all revoked by a new password
whatever way it is set, and by the deactivation service."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.forms import PasswordChangeForm
from django.core.management import call_command
from django.utils import timezone
from knox.crypto import hash_token
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken
from common.errors import ValidationFailed
from tests.factories import UserFactory

PASSWORD = "Correct-Horse-7"
NEW_PASSWORD = "Kq7!meadow-lantern"


@pytest.fixture
def user(hospital):
    return UserFactory(username="buyer1", organization=hospital, roles=["purchaser"], password=PASSWORD)


@pytest.fixture
def other(other_hospital):
    return UserFactory(username="buyer2", organization=other_hospital, roles=["purchaser"], password=PASSWORD)


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def sign_in(username="buyer1", password=PASSWORD):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def works(token: str) -> bool:
    status = with_token(token).get("/api/v1/users/me/").status_code
    assert status in (200, 401), status
    return status == 200


def close_to(moment, expected, slack=timedelta(minutes=1)) -> bool:
    return abs(moment - expected) < slack


@pytest.mark.django_db
def test_sign_in_answers_a_token_that_expires_and_is_stored_only_as_its_digest(user):
    response = sign_in()
    assert response.status_code == 200, response.content
    data = response.json()
    token = data["token"]
    stored = ApiToken.objects.get()
    assert str(stored.pk) == data["id"] and data["kind"] == "sign_in"
    assert close_to(stored.expiry, timezone.now() + timedelta(days=7))
    # Only the digest and a short prefix are kept: the token is in no column.
    assert stored.digest == hash_token(token) and token not in stored.digest
    assert len(stored.token_key) < len(token) / 3 and token.startswith(stored.token_key)
    assert works(token)


@pytest.mark.django_db
def test_sign_in_refuses_wrong_credentials_with_a_clear_error(user):
    response = sign_in(password="wrong")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()
    response = APIClient().post("/api/v1/auth/token/", {"username": "buyer1"}, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("required", "password")


@pytest.mark.django_db
def test_an_idle_sign_in_token_expires_and_is_deleted(user):
    token = sign_in().json()["token"]
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))  # 7 days without a request
    response = with_token(token).get("/api/v1/users/me/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    assert "过期" in response.json()["detail"]
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_using_a_sign_in_token_extends_it_up_to_the_maximum_after_sign_in(user):
    token = sign_in().json()["token"]
    now = timezone.now()
    ApiToken.objects.update(created=now - timedelta(days=6), expiry=now + timedelta(days=1))  # last used 6 days ago
    assert works(token)
    assert close_to(ApiToken.objects.get().expiry, now + timedelta(days=7))
    # Near the 30-day maximum, use no longer moves the expiry past it.
    ApiToken.objects.update(created=now - timedelta(days=29, hours=12), expiry=now + timedelta(hours=2))
    assert works(token)
    assert close_to(ApiToken.objects.get().expiry, now + timedelta(hours=12))


@pytest.mark.django_db
def test_an_integration_token_has_a_name_keeps_its_date_and_ends_on_it(user):
    response = with_token(services.token_sign_in(user=user)[1]).post(
        "/api/v1/auth/tokens/", {"name": "某医院 HIS", "expires_in_days": 365}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["kind"] == "integration" and data["name"] == "某医院 HIS"
    token = data["token"]
    stored = ApiToken.objects.get(pk=data["id"])
    assert close_to(stored.expiry, timezone.now() + timedelta(days=365))
    assert works(token)
    ApiToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() + timedelta(days=1))
    assert works(token)
    assert close_to(ApiToken.objects.get(pk=stored.pk).expiry, timezone.now() + timedelta(days=1))  # not extended
    ApiToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert not works(token)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "ERP", "expires_in_days": 366}, "expires_in_days"),  # past API_TOKEN_INTEGRATION_MAX_DAYS
        ({"name": "ERP", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "ERP", "expires_in_days": "²"}, "expires_in_days"),
        ({"name": "   ", "expires_in_days": 30}, "name"),
        ({"expires_in_days": 30}, "name"),
    ],
)
def test_an_integration_token_beyond_the_maximum_lifetime_or_without_a_name_is_refused(user, body, field):
    client = with_token(services.token_sign_in(user=user)[1])
    response = client.post("/api/v1/auth/tokens/", body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data.get("field") == field or field in data
    assert ApiToken.objects.filter(kind=ApiToken.Kind.INTEGRATION).count() == 0


@pytest.mark.django_db
def test_the_maximum_lifetime_is_a_setting(user, settings):
    settings.API_TOKEN_INTEGRATION_MAX_DAYS = 30
    client = with_token(services.token_sign_in(user=user)[1])
    response = client.post("/api/v1/auth/tokens/", {"name": "ERP", "expires_in_days": 31}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "token_lifetime"
    assert "30" in response.json()["detail"]
    assert client.post("/api/v1/auth/tokens/", {"name": "ERP", "expires_in_days": 30}, format="json").status_code == 201


@pytest.mark.django_db
def test_an_integration_token_cannot_make_its_successor(user):
    _stored, token = services.token_create_integration(user=user, name="HIS", days=30)
    response = with_token(token).post("/api/v1/auth/tokens/", {"name": "HIS 2"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "integration_token"
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db
def test_the_list_shows_only_my_tokens_and_never_a_secret(user, other):
    mine, token = services.token_sign_in(user=user)
    services.token_create_integration(user=user, name="HIS", days=30)
    services.token_sign_in(user=other)
    response = with_token(token).get("/api/v1/auth/tokens/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["id"] for row in rows} == {str(t.pk) for t in ApiToken.objects.filter(user=user)}
    assert [row["current"] for row in rows if row["id"] == str(mine.pk)] == [True]
    assert all("token" not in row and "digest" not in row for row in rows)
    assert token not in response.content.decode()


@pytest.mark.django_db
def test_revoking_one_token_ends_it_and_leaves_the_others(user):
    _first, first = services.token_sign_in(user=user)
    second_row, second = services.token_create_integration(user=user, name="ERP", days=30)
    response = with_token(first).delete(f"/api/v1/auth/tokens/{second_row.pk}/")
    assert response.status_code == 204
    assert not works(second)
    assert works(first)


@pytest.mark.django_db
def test_another_users_token_is_not_found_and_stays(user, other):
    _mine, token = services.token_sign_in(user=user)
    theirs_row, theirs = services.token_sign_in(user=other)
    for path in (f"/api/v1/auth/tokens/{theirs_row.pk}/", "/api/v1/auth/tokens/not-a-uuid/"):
        assert with_token(token).delete(path).status_code == 404
    assert works(theirs)


def change_in_admin(user, client, platform_admin):
    platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    url = f"/admin/accounts/user/{user.pk}/password/"
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]


def change_with_the_form(user, client, platform_admin):
    form = PasswordChangeForm(
        user, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert form.is_valid(), form.errors
    form.save()


def change_with_the_service(user, client, platform_admin):
    services.user_set_password(user=user, password=NEW_PASSWORD)


def change_with_the_command(user, client, platform_admin):
    with mock.patch("getpass.getpass", return_value=NEW_PASSWORD):  # the typed password
        call_command("changepassword", user.username, stdout=io.StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [change_in_admin, change_with_the_form, change_with_the_service, change_with_the_command],
    ids=["admin", "form", "service", "command"],
)
def test_a_new_password_revokes_every_token_of_the_user(user, other, client, platform_admin, change):
    tokens = [
        services.token_sign_in(user=user)[1],
        services.token_create_integration(user=user, name="HIS", days=90)[1],
    ]
    _theirs_row, theirs = services.token_sign_in(user=other)
    assert all(works(t) for t in tokens)
    change(user, client, platform_admin)
    assert not any(works(t) for t in tokens)
    assert not ApiToken.objects.filter(user=user).exists()
    assert works(theirs)
    assert sign_in(password=NEW_PASSWORD).status_code == 200  # signing in again gives a new one


@pytest.mark.django_db
def test_a_weak_new_password_is_refused_and_the_tokens_stay(user):
    _row, token = services.token_sign_in(user=user)
    with pytest.raises(ValidationFailed) as error:
        services.user_set_password(user=user, password="123456")
    assert (error.value.code, error.value.field) == ("password_rejected", "password")
    assert works(token)


@pytest.mark.django_db
def test_revoke_all_for_deactivation_ends_every_token_of_the_user_only(user, other):
    tokens = [services.token_sign_in(user=user)[1], services.token_create_integration(user=user, name="HIS", days=9)[1]]
    _row, theirs = services.token_sign_in(user=other)
    assert services.revoke_api_tokens(user_ids=[user.pk]) == 2
    assert not any(works(t) for t in tokens)
    assert works(theirs)


@pytest.mark.django_db
def test_a_user_keeps_a_bounded_number_of_sign_in_tokens(user, settings):
    settings.API_TOKEN_SIGN_IN_MAX_PER_USER = 3
    tokens = [services.token_sign_in(user=user)[1] for _ in range(5)]
    assert ApiToken.objects.filter(user=user).count() == 3
    assert [works(t) for t in tokens] == [False, False, True, True, True]


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Token ÿÿÿÿ", "Token 00000000000000000000000000000000000000000", "Token"])
def test_a_malformed_or_unknown_token_is_refused_not_a_server_error(user, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/users/me/").status_code == 401


@pytest.mark.django_db
def test_a_deactivated_users_token_is_refused(user):
    _row, token = services.token_sign_in(user=user)
    user.is_active = False
    user.save()
    assert not works(token)


@pytest.mark.django_db
def test_a_password_hash_upgraded_at_sign_in_revokes_nothing(user, settings):
    """Django re-hashes a password with a newer hasher when its user signs in: not a new password."""
    _row, token = services.token_sign_in(user=user)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert sign_in().status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_")
    assert works(token)
