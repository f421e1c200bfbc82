"""The transparency app's REST endpoints under /api/v1/: `public` (read-only, no sign-in, tag public) and
`objections` (objections and appeals), gathered for config/urls.py."""

from . import objections, public

routes = [*public.routes, *objections.routes]
urlpatterns: list = []
