"""Panels of the home page (工作台), found by `accounts.views.home` through `common.discovery.app_modules("home")`.

`panels(request)` returns the panels this app adds for the user: dicts with a `template` and its context — the
to-dos of each of the user's roles, and the manufacturer's workbench.
"""

from __future__ import annotations

from . import selectors, todos


def panels(request) -> list[dict]:
    user = request.user
    found = [{"template": "workbench/todos.html", "context": panel} for panel in todos.role_todos(user)]
    if selectors.is_manufacturer_user(user):
        found.append({"template": "workbench/manufacturer.html", "context": selectors.manufacturer_workbench(user)})
    return found
