"""Shared state for the demo seeders of each app (see the seed_demo command)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DEMO_PASSWORD = "Demo@2026"


@dataclass
class DemoContext:
    rng: random.Random
    stdout: object = None
    style: object = None
    password: str = DEMO_PASSWORD
    logins: list[tuple[str, str]] = field(default_factory=list)

    def sub_rng(self, name: str) -> random.Random:
        """A generator of its own per seeder, so adding data to one app does not reshuffle another's."""
        return random.Random(f"seed-demo-{name}")
