"""Extension points other apps plug into, so dependencies keep pointing one way (procurement ← pricing/settlement).

- `barred_manufacturer_checks`: callables `(tender) -> set[int]` of manufacturer ids whose bids are invalid at
  opening (the pricing app's credit records register one).
- `receipt_committed_handlers`: callables `(receipt_id: int) -> None` run after a receipt (入库验收) or a return is
  committed (price observations, commitment progress, settlement register theirs). They are called from
  `transaction.on_commit`, so a handler sees committed data and its failure cannot undo the receipt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

barred_manufacturer_checks: list[Callable] = []
receipt_committed_handlers: list[Callable[[int], None]] = []


def register_barred_manufacturer_check(func: Callable) -> Callable:
    if func not in barred_manufacturer_checks:
        barred_manufacturer_checks.append(func)
    return func


def register_receipt_committed(func: Callable[[int], None]) -> Callable[[int], None]:
    if func not in receipt_committed_handlers:
        receipt_committed_handlers.append(func)
    return func


def barred_manufacturer_ids(tender) -> set[int]:
    result: set[int] = set()
    for check in barred_manufacturer_checks:
        result |= set(check(tender))
    return result


def receipt_committed(receipt_id: int) -> None:
    """Run every registered handler; one failing handler is logged and does not stop the others."""
    for handler in list(receipt_committed_handlers):
        try:
            handler(receipt_id)
        except Exception:
            logger.exception("receipt handler %s failed for receipt %s", getattr(handler, "__name__", handler), receipt_id)
