"""Login throttling: repeated failures for one username from one address lock that pair out, on the login page
and on the API token endpoint alike; a success resets the count; other users and other addresses are unaffected."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory

PASSWORD = "Correct-Horse-7"


@pytest.fixture
def user(hospital):
    return UserFactory(username="buyer1", organization=hospital, roles=["purchaser"], password=PASSWORD)


def page_login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def token_login(client, username, password):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


@pytest.mark.django_db
def test_the_login_page_locks_a_username_out_after_the_configured_failures(settings, user):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(2):
        response = page_login(client, "buyer1", "wrong")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    response = page_login(client, "buyer1", "wrong")
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录失败次数过多" in body and "15 分钟" in body
    # Even the right password is refused while locked out, and no session is opened.
    response = page_login(client, "buyer1", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_the_lockout_is_per_username_and_address(settings, user, hospital):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="buyer2", organization=hospital, roles=["purchaser"], password=PASSWORD)
    attacker = Client(REMOTE_ADDR="10.0.0.66")
    for _ in range(2):
        page_login(attacker, "buyer1", "wrong")
    assert page_login(attacker, "buyer1", PASSWORD).status_code == 429
    # The same user from the office address still signs in; another user from the attacker's address too.
    office = Client(REMOTE_ADDR="10.0.0.1")
    assert page_login(office, "buyer1", PASSWORD).status_code == 302
    assert page_login(Client(REMOTE_ADDR="10.0.0.66"), "buyer2", PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_client", "login", "ok", "failed"),
    [(Client, page_login, 302, 200), (APIClient, token_login, 200, 400)],
    ids=["page", "api-token"],
)
def test_a_successful_login_resets_the_count(settings, user, make_client, login, ok, failed):
    settings.AXES_FAILURE_LIMIT = 3
    client = make_client(REMOTE_ADDR="10.0.0.1")
    assert login(client, "buyer1", "wrong").status_code == failed
    assert login(client, "buyer1", "wrong").status_code == failed
    assert login(client, "buyer1", PASSWORD).status_code == ok
    assert not AccessAttempt.objects.filter(username="buyer1").exists()
    client.logout()
    # Two more failures do not reach the limit of three, because the count started again.
    assert login(client, "buyer1", "wrong").status_code == failed
    assert login(client, "buyer1", "wrong").status_code == failed
    assert login(client, "buyer1", PASSWORD).status_code == ok


@pytest.mark.django_db
def test_the_api_token_endpoint_is_throttled_with_a_clear_message(settings, user):
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient(REMOTE_ADDR="10.0.0.9")
    for _ in range(2):
        response = token_login(client, "buyer1", "wrong")
        assert response.status_code == 400
    response = token_login(client, "buyer1", "wrong")
    assert response.status_code == 429 and response.json()["code"] == "locked_out"
    assert "登录失败次数过多" in response.json()["detail"]
    response = token_login(client, "buyer1", PASSWORD)
    assert response.status_code == 429 and "token" not in response.json()
    # Failures through the page and the API count together: the page refuses too.
    assert page_login(Client(REMOTE_ADDR="10.0.0.9"), "buyer1", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_a_failed_login_stores_no_password(settings, user):
    page_login(Client(REMOTE_ADDR="10.0.0.1"), "buyer1", "my-secret-guess")
    attempt = AccessAttempt.objects.get(username="buyer1")
    assert "my-secret-guess" not in attempt.post_data


def admin_login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_client", "login", "ok"),
    [(Client, page_login, 302), (APIClient, token_login, 200), (Client, admin_login, 302)],
    ids=["page", "api-token", "admin"],
)
def test_spraying_passwords_across_usernames_locks_the_address(settings, user, hospital, make_client, login, ok):
    """One failure each for many usernames never reaches the per-username limit; the address's own limit stops it,
    even for a known account with the right password, and only at that address."""
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    user.is_staff = True
    user.is_superuser = True  # the admin signs in staff only
    user.save()
    attacker = make_client(REMOTE_ADDR="10.0.0.66")
    for n in range(3):
        assert login(attacker, f"guess{n}", "Spring2026!").status_code != 429
    assert login(attacker, "guess3", "Spring2026!").status_code == 429  # the address's fourth failure
    response = login(attacker, "buyer1", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "当前网络地址登录失败次数过多" in body
    # Another address signs the same user in; the attacker's address stays locked for every username.
    assert login(make_client(REMOTE_ADDR="10.0.0.1"), "buyer1", PASSWORD).status_code == ok
    assert login(make_client(REMOTE_ADDR="10.0.0.66"), "buyer1", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_a_success_at_the_address_does_not_clear_the_failures_sprayed_over_others(settings, user):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    client = Client(REMOTE_ADDR="10.0.0.66")
    for n in range(3):
        page_login(client, f"guess{n}", "wrong")
    assert page_login(client, "buyer1", PASSWORD).status_code == 302  # the attacker's own account
    client.logout()
    assert page_login(client, "guess3", "wrong").status_code == 429  # the fourth failure at the address
    assert page_login(Client(REMOTE_ADDR="10.0.0.66"), "buyer1", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_the_token_lockout_answers_retry_after(settings, user):
    settings.AXES_FAILURE_LIMIT = 2
    client = APIClient(REMOTE_ADDR="10.0.0.9")
    token_login(client, "buyer1", "wrong")
    response = token_login(client, "buyer1", "wrong")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
