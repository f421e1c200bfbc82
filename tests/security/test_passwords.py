"""Passwords are validated: the configured validators refuse weak ones, with the reason, wherever a password is set."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1", "too short"),
        ("password123", "too common"),
        ("83920174651", "entirely numeric"),
        ("zhangwei_buyer", "too similar"),
    ],
)
def test_weak_passwords_are_refused(hospital, password, reason):
    user = UserFactory(username="zhangwei_buyer", organization=hospital, roles=["purchaser"])
    with pytest.raises(ValidationError) as error:
        validate_password(password, user=user)
    assert error.value.messages


@pytest.mark.django_db
def test_a_strong_password_passes(hospital):
    user = UserFactory(username="zhangwei_buyer", organization=hospital, roles=["purchaser"])
    validate_password("Kq7!meadow-lantern", user=user)


@pytest.mark.django_db
def test_the_admin_password_change_applies_the_validators(client, platform_admin, purchaser):
    platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    old_hash = type(purchaser).objects.get(pk=purchaser.pk).password
    url = f"/admin/accounts/user/{purchaser.pk}/password/"
    response = client.post(url, {"password1": "123456", "password2": "123456"})
    assert response.status_code == 200  # the form again, with the reasons
    assert type(purchaser).objects.get(pk=purchaser.pk).password == old_hash
