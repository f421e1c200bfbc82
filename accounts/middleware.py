from django.contrib.auth.middleware import LoginRequiredMiddleware


class PlatformLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in user, except login, health and the public API schema.

    The REST API under /api/v1/ answers 401/403 itself (DRF, session or token), so it is not redirected.
    """

    open_prefixes = ("/api/v1/", "/api/schema/", "/healthz", "/static/", "/i18n/")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(self.open_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
