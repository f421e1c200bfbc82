"""Extension points other apps plug into, so dependencies keep pointing one way (procurement ← pricing/settlement).

- `barred_manufacturer_checks`: callables `(tender) -> set[int]` of manufacturer ids whose bids are invalid at
  opening (the pricing app's credit records register one).
- `award_holds`: callables `(tender) -> str` giving why the awards must wait ("" when nothing holds them): the
  transparency app's public notice period and open objections. `tender_award` refuses while one answers.
- `receipt_committed_handlers`: callables `(receipt_id: int) -> None` run after a receipt (入库验收) is committed
  (price observations, commitment progress, settlement register theirs).
- `awards_published_handlers`: callables `(tender_id: int) -> None` run when a tender's awards are published, inside
  its transaction (the payment-standards app derives the linked standards as drafts).
- `return_committed_handlers`: callables `(return_id: int) -> None` run after a return (退货, `GoodsReturn`) is
  committed; a return reduces what was received, so the same consumers register here too.
- `tender_moved_handlers`: callables `(tender_id: int) -> None` run when a tender changes status, inside the
  transition's transaction (the OCDS publication registers one).
- `tender_awarded_handlers`: callables `(tender_id: int) -> None` run in the award's transaction once its awards and
  commitments are written (the contracts app generates the purchase contracts there).

- `price_basis_providers`: callables `(product_id, *, on, months) -> dict` giving a listing application's price basis
  (other provinces' prices, the national lowest); the pricing app registers its reference-price reader.

The receipt and return handlers are called by procurement.services.orders inside the receipt's (return's) transaction, so the follow-up work
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
award_holds: list[Callable] = []
receipt_committed_handlers: list[Callable[[int], None]] = []
return_committed_handlers: list[Callable[[int], None]] = []
tender_moved_handlers: list[Callable[[int], None]] = []
price_basis_providers: list[Callable[..., dict]] = []
tender_awarded_handlers: list[Callable[[int], None]] = []
awards_published_handlers: list[Callable[[int], None]] = []


def register_barred_manufacturer_check(func: Callable) -> Callable:
    if func not in barred_manufacturer_checks:
        barred_manufacturer_checks.append(func)
    return func


def register_award_hold(func: Callable) -> Callable:
    if func not in award_holds:
        award_holds.append(func)
    return func


def award_hold_reason(tender) -> str:
    """The first reason a registered hold gives for the tender's awards to wait, or ""."""
    for hold in award_holds:
        reason = hold(tender)
        if reason:
            return reason
    return ""


def register_receipt_committed(func: Callable[[int], None]) -> Callable[[int], None]:
    if func not in receipt_committed_handlers:
        receipt_committed_handlers.append(func)
    return func


def register_return_committed(func: Callable[[int], None]) -> Callable[[int], None]:
    if func not in return_committed_handlers:
        return_committed_handlers.append(func)
    return func


def register_tender_moved(func: Callable[[int], None]) -> Callable[[int], None]:
    if func not in tender_moved_handlers:
        tender_moved_handlers.append(func)
    return func


def register_price_basis(func: Callable[..., dict]) -> Callable[..., dict]:
    if func not in price_basis_providers:
        price_basis_providers.append(func)
    return func


def price_basis(product_id: int, *, on, months: int) -> dict:
    """The basis of an applied price: other provinces' prices (lowest first) and the national lowest, merged from
    every provider; empty when none is registered."""
    result: dict = {"other_provinces": [], "national_lowest": None}
    for provider in price_basis_providers:
        found = provider(product_id, on=on, months=months)
        result["other_provinces"] += found.get("other_provinces", [])
        result["national_lowest"] = result["national_lowest"] or found.get("national_lowest")
    return result


def register_tender_awarded(func: Callable[[int], None]) -> Callable[[int], None]:
    if func not in tender_awarded_handlers:
        tender_awarded_handlers.append(func)
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


def tender_moved(tender_id: int) -> None:
    _run(tender_moved_handlers, "tender", tender_id)


def tender_awarded(tender_id: int) -> None:
    _run(tender_awarded_handlers, "tender_awarded", tender_id)


def awards_published(tender_id: int) -> None:
    _run(awards_published_handlers, "tender", tender_id)
