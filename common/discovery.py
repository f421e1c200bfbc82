"""Find a module of the same name in every installed app (`<app>.demo`, `<app>.navigation`, `<app>.tasks`).

This is how apps plug into shared features without the shared code importing them by name, so the
dependencies keep pointing one way.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

from django.apps import AppConfig, apps


def app_modules(name: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    """Each installed app's module `name`, in INSTALLED_APPS order; apps without one are passed over.

    An import error inside an existing module is raised, never hidden.
    """
    for app_config in apps.get_app_configs():
        dotted = f"{app_config.name}.{name}"
        try:
            module = importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name != dotted:
                raise
            continue
        yield app_config, module
