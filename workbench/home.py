"""Panels of the home page (工作台), found by `accounts.views.home` through `common.discovery.app_modules("home")`.

`panels(request)` returns the panels this app adds for the user: dicts with a `template` and its context.
"""

from __future__ import annotations

from . import selectors


def panels(request) -> list[dict]:
    user = request.user
    if not selectors.is_manufacturer_user(user):
        return []
    return [{"template": "workbench/manufacturer.html", "context": selectors.manufacturer_workbench(user)}]
