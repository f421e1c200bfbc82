"""The platform's authentication backend: Django's user/password check, refusing members of a deactivated
organisation (sign-in on the page, the admin and the token endpoint; and a session signed in before the
deactivation, which Django restores through `get_user` on every request)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .models import User
from .permissions import organization_is_active


class PlatformBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and organization_is_active(user)

    def get_user(self, user_id):
        # The organisation is read with the user: every request checks it (above, and in the permission layer).
        user = User._default_manager.select_related("organization").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def refused_for_inactive_organization(username: str, password: str):
    """The deactivated organisation of the user these credentials belong to, when that is why a sign-in failed.
    Told only to whoever knows the password, so it reveals nothing to a guesser."""
    user = User._default_manager.select_related("organization").filter(**{User.USERNAME_FIELD: username}).first()
    if user is None or not user.is_active or organization_is_active(user) or not user.check_password(password or ""):
        return None
    return user.organization
