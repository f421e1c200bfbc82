"""The linkage rule of 医保发〔2019〕56号 in plain Python: the specification that `payment_standards.sql` follows
(the tests compare both on generated tenders).

For a non-selected product of a group, comparing its original payment standard with the selected price:
- a generic without consistency evaluation: at most the selected price, at once (no transition);
- original below the selected price: its own (original) standard;
- original above `ratio_threshold` × the selected price: the first year `first_year_rate` × original (never below the
  selected price), then in equal steps down to the selected price, reached `step_years` years after the first;
- otherwise (within 2×): the selected price.
"""

from __future__ import annotations

from decimal import Decimal

from common.money import quantize_unit_price
from common.rules import LinkageRules

from .models import Basis


def selected_price(own: Decimal, group_prices: list[Decimal], mode: str, *, for_winner: bool) -> Decimal:
    """The group's selected price for a winner (its standard) or for the non-selected products (their benchmark).

    `own` gives a winner its own awarded price; the non-selected products then compare with the highest winning
    price (assumption: no winner's price is treated as too high, docs/payment-standards.md)."""
    if mode == "lowest":
        return min(group_prices)
    if mode == "highest" or not for_winner:
        return max(group_prices)
    return own


def linked_standard(
    *, original: Decimal, selected: Decimal, consistency_evaluated: bool, year_index: int, rules: LinkageRules
) -> tuple[Decimal, str]:
    """The standard of a non-selected product `year_index` years after the tender's first year, and its basis."""
    if not consistency_evaluated:
        return min(original, selected), Basis.NOT_EVALUATED
    if original < selected:
        return original, Basis.BELOW_SELECTED
    if original > selected * rules.ratio_threshold:
        first = max(quantize_unit_price(original * rules.first_year_rate), selected)
        if year_index >= rules.step_years:
            return selected, Basis.ABOVE_DOUBLE
        stepped = (first * (rules.step_years - year_index) + selected * year_index) / rules.step_years
        return quantize_unit_price(stepped), Basis.ABOVE_DOUBLE
    return selected, Basis.WITHIN_DOUBLE
