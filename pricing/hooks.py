"""Extension points of pricing for the apps built on it (dependencies keep pointing one way).

- `credit_effect_holds`: callables `(record) -> bool`, true while something holds a credit record from taking effect
  (the transparency app: an objection 异议 to the record is open). A held record suspends nothing at its start
  (`credit_records_maintain` skips it) and bars no bids at opening; once released, the daily job applies it.
"""

from __future__ import annotations

from collections.abc import Callable

credit_effect_holds: list[Callable] = []


def register_credit_effect_hold(func: Callable) -> Callable:
    if func not in credit_effect_holds:
        credit_effect_holds.append(func)
    return func


def credit_effect_held(record) -> bool:
    return any(hold(record) for hold in credit_effect_holds)
