"""Extension points for what an organisation's deactivation leaves behind, so dependencies keep pointing one way
(accounts ← procurement, settlement): the apps that own the consequences register a handler here.

A handler is `(organization, *, by, reason) -> dict` and runs inside the deactivation's (reactivation's)
transaction: a handler that fails undoes the whole deactivation, since what it leaves behind is part of the decision.
It returns counts for the audit row (e.g. {"listings_suspended": 3}).
"""

from __future__ import annotations

from collections.abc import Callable

deactivated_handlers: list[Callable[..., dict]] = []
reactivated_handlers: list[Callable[..., dict]] = []


def register_deactivated(func: Callable[..., dict]) -> Callable[..., dict]:
    if func not in deactivated_handlers:
        deactivated_handlers.append(func)
    return func


def register_reactivated(func: Callable[..., dict]) -> Callable[..., dict]:
    if func not in reactivated_handlers:
        reactivated_handlers.append(func)
    return func


def run(handlers: list[Callable[..., dict]], organization, *, by, reason: str) -> dict:
    outcome: dict = {}
    for handler in list(handlers):
        outcome.update(handler(organization, by=by, reason=reason) or {})
    return outcome
