"""Sign-in forms of the pages and the admin: a member of a deactivated organisation is told why they cannot sign in
(once the password is right; a wrong one gets the usual answer)."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from .backends import refused_for_inactive_organization
from .errors import AccountsError
from .permissions import inactive_organization_message


class InactiveOrganizationLoginMixin:
    refusal = ""

    def clean(self):
        try:
            return super().clean()
        except ValidationError as exc:
            organization = refused_for_inactive_organization(
                self.cleaned_data.get("username") or "", self.cleaned_data.get("password") or ""
            )
            if organization is None:
                raise
            self.refusal = inactive_organization_message(organization)
            raise ValidationError(self.refusal, code=AccountsError.ORGANIZATION_INACTIVE) from exc


class PlatformAuthenticationForm(InactiveOrganizationLoginMixin, AuthenticationForm):
    pass


class PlatformAdminAuthenticationForm(InactiveOrganizationLoginMixin, AdminAuthenticationForm):
    pass
