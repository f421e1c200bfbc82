"""Extension points other apps plug into, so dependencies keep pointing one way (procurement ← pricing/settlement).

- `barred_manufacturer_checks`: callables `(tender) -> set[int]` of manufacturer ids whose bids are invalid at
  opening (the pricing app's credit records register one).
- `receipt_committed_handlers`: callables `(receipt_id: int) -> None` run after a receipt (入库验收) is committed
  (price observations, commitment progress, settlement register theirs).
- `awards_published_handlers`: callables `(tender_id: int) -> None` run when a tender's awards are published, inside
  its transaction (the payment-standards app derives the linked standards as drafts).
- `return_committed_handlers`: callables `(return_id: int) -> None` run after a return (退货, `GoodsReturn`) is
  committed; a return reduces what was received, so the same consumers register here too.

Both are called by procurement.services.orders inside the receipt's (return's) transaction, so the follow-up work
a handler queues with `common.outbox.enqueue` commits together with the receipt: a crash right after the commit, or
a broker outage, cannot lose it (the outbox publishes after commit, the drain job later). Handlers only queue work —
the tasks do it, idempotently, once the data is committed. Each handler runs in its own savepoint: one that fails is
logged and rolled back alone, and cannot undo the receipt or return.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

barred_manufacturer_checks: list[Callable] = []
receipt_committed_handlers: list[Callable[[int], None]] = []
return_committed_handlers: list[Callable[[int], None]] = []
awards_published_handlers: list[Callable[[int], None]] = []


def register_barred_manufacturer_check(func: Callable) -> Callable:
    if func not in barred_manufacturer_checks:
        barred_manufacturer_checks.append(func)
    return func


def register_receipt_committed(func: Callable[[int], None]) -> Callable[[int], None]:
    if func not in receipt_committed_handlers:
        receipt_committed_handlers.append(func)
    return func


def register_return_committed(func: Callable[[int], None]) -> Callable[[int], None]:
    if func not in return_committed_handlers:
        return_committed_handlers.append(func)
    return func


def register_awards_published(func: Callable[[int], None]) -> Callable[[int], None]:
    if func not in awards_published_handlers:
        awards_published_handlers.append(func)
    return func


def barred_manufacturer_ids(tender) -> set[int]:
    result: set[int] = set()
    for check in barred_manufacturer_checks:
        result |= set(check(tender))
    return result


def _run(handlers: list[Callable[[int], None]], kind: str, object_id: int) -> None:
    """Run every handler; one failing handler is logged and does not stop the others."""
    for handler in list(handlers):
        try:
            with transaction.atomic():
                handler(object_id)
        except Exception:
            logger.exception(
                "%s handler %s failed for %s %s", kind, getattr(handler, "__name__", handler), kind, object_id
            )


def receipt_committed(receipt_id: int) -> None:
    _run(receipt_committed_handlers, "receipt", receipt_id)


def return_committed(return_id: int) -> None:
    _run(return_committed_handlers, "return", return_id)


def awards_published(tender_id: int) -> None:
    _run(awards_published_handlers, "tender", tender_id)
