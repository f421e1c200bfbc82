from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import JsonResponse
from django.shortcuts import render

from common.api import error_body

from .errors import AccountsError
from .forms import PlatformAuthenticationForm
from .models import User
from .permissions import inactive_organization_message, organization_is_active


class PlatformLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in user, except login, health and the public API schema.

    The REST API under /api/v1/ answers 401/403 itself (DRF, session or token), so it is not redirected.
    """

    open_prefixes = ("/api/v1/", "/api/schema/", "/healthz", "/static/", "/i18n/")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(self.open_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class InactiveOrganizationMiddleware:
    """Ends, at its next request, a session signed in before its user's organisation was deactivated, and says why:
    the sign-in page with the reason (403), or for the API a JSON error. Deactivation thus takes effect at once for
    sessions as well, without finding them in the session store.

    The authentication backend no longer restores such a user (accounts/backends.py), so the session still naming
    one is what tells this request apart from an anonymous visitor's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        organization = self._deactivated_organization(request)
        if organization is None:
            return self.get_response(request)
        logout(request)
        message = inactive_organization_message(organization)
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(AccountsError.ORGANIZATION_INACTIVE, message), status=403)
        return render(
            request,
            "accounts/login.html",
            {"form": PlatformAuthenticationForm(request), "refused": message},
            status=403,
        )

    @staticmethod
    def _deactivated_organization(request):
        user = request.user
        if user.is_authenticated:  # signed in through another backend: the same rule
            return None if organization_is_active(user) else user.organization
        user_id = request.session.get(SESSION_KEY)
        if user_id is None:
            return None
        user = User._default_manager.select_related("organization").filter(pk=user_id).first()
        if user is None or not user.is_active or organization_is_active(user):
            return None
        return user.organization
