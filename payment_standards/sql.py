"""Payment standards of a whole tender in SQL: the selected products' standards and the linked standards of the
non-selected products of the same groups, derived for one year as drafts by one statement.

`payment_standards.linkage` is the rule's specification; `derive_statement` gives exactly what it gives (the tests
compare both on generated tenders). PostgreSQL's `round(numeric, 4)` rounds halves away from zero, which for prices
(always positive) is `ROUND_HALF_UP`, as `common.money.quantize_unit_price`.

A group is a lot's generic name and dosage forms (the lot's grouping) and one specification (whitespace and case
ignored): the winners of that specification set its selected price, and the products of the same generic name, a
dosage form of the lot and that specification that did not win are linked to it.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from psycopg.sql import SQL, Composed, Identifier

from catalog.models import Product
from common.history import history_columns, history_table
from common.rules import LinkageRules
from common.sql import column_list, tables
from procurement.models import Award, Listing, Lot

from .models import Basis, PaymentStandard

NAMES = tables(award=Award, product=Product, lot=Lot, listing=Listing, standard=PaymentStandard)

_SPEC = "lower(regexp_replace(COALESCE({alias}.specification, ''), '\\s', '', 'g'))"


def derive_statement() -> Composed:
    """Insert (or replace the draft of) the year's standard of every selected product of the tender and of every
    non-selected product of its groups that has an original standard (its latest published standard of a year
    before the tender's first year, or else its lowest active listing price). A row equal to the year's published
    standard is not written (nothing to review).

    The same statement writes the history row of every standard it wrote (`+` for a new one, `~` for a replaced
    draft: PostgreSQL's `xmax` is 0 only on a row this statement inserted), with `reason` and `by`, from the rows it
    wrote. Returns the ids written, each with whether it is new."""
    copied = history_columns(PaymentStandard)
    return SQL(
        """
WITH w AS (
    SELECT a.id AS award_id, a.lot_id, a.product_id, a.awarded_price AS price, """
        + _SPEC.format(alias="p")
        + """ AS spec
    FROM {award} a JOIN {product} p ON p.id = a.product_id
    WHERE a.tender_id = %(tender_id)s
),
g AS (SELECT lot_id, spec, MIN(price) AS low, MAX(price) AS high FROM w GROUP BY lot_id, spec),
winners AS (
    SELECT DISTINCT ON (w.product_id) w.product_id, w.lot_id, w.award_id,
           CASE %(mode)s WHEN 'lowest' THEN g.low WHEN 'highest' THEN g.high ELSE w.price END AS selected
    FROM w JOIN g ON g.lot_id = w.lot_id AND g.spec = w.spec
    ORDER BY w.product_id, w.lot_id, w.award_id
),
candidates AS (
    SELECT DISTINCT ON (p.id) p.id AS product_id, l.id AS lot_id, p.consistency_evaluated AS evaluated,
           CASE %(mode)s WHEN 'lowest' THEN g.low ELSE g.high END AS selected
    FROM g
    JOIN {lot} l ON l.id = g.lot_id
    JOIN {product} p ON p.generic_name = l.generic_name AND """
        + _SPEC.format(alias="p")
        + """ = g.spec
         AND (jsonb_array_length(l.dosage_forms) = 0 OR l.dosage_forms ? p.dosage_form)
    WHERE p.is_active AND NOT EXISTS (SELECT 1 FROM w WHERE w.product_id = p.id)
    ORDER BY p.id, l.id
),
originals AS (
    SELECT c.*, COALESCE(
        (SELECT s.standard FROM {standard} s
          WHERE s.product_id = c.product_id AND s.status = 'published' AND s.year < %(base_year)s
          ORDER BY s.year DESC LIMIT 1),
        (SELECT MIN(li.unit_price) FROM {listing} li WHERE li.product_id = c.product_id AND li.status = 'active')
    ) AS original
    FROM candidates c
),
linked AS (
    SELECT product_id, lot_id, selected, original,
           CASE
             WHEN NOT evaluated THEN LEAST(original, selected)
             WHEN original < selected THEN original
             WHEN original > selected * %(ratio)s THEN
               CASE WHEN %(year_index)s >= %(steps)s THEN selected
                    ELSE round((GREATEST(round(original * %(rate)s, 4), selected) * (%(steps)s - %(year_index)s)
                                + selected * %(year_index)s) / %(steps)s, 4)
               END
             ELSE selected
           END AS standard,
           CASE
             WHEN NOT evaluated THEN %(not_evaluated)s
             WHEN original < selected THEN %(below)s
             WHEN original > selected * %(ratio)s THEN %(above)s
             ELSE %(within)s
           END AS basis
    FROM originals WHERE original IS NOT NULL
),
rows AS (
    SELECT product_id, lot_id, award_id, 'award' AS source, %(selected_basis)s AS basis, selected AS standard,
           selected, NULL::numeric AS original
    FROM winners
    UNION ALL
    SELECT product_id, lot_id, NULL, 'linkage', basis, standard, selected, original FROM linked
),
written AS (
    INSERT INTO {standard} (product_id, year, standard, source, basis, status, award_id, lot_id, selected_price,
                            original_standard, note, created_by_id, created_at)
    SELECT r.product_id, %(year)s, r.standard, r.source, r.basis, 'draft', r.award_id, r.lot_id, r.selected,
           r.original, %(note)s, %(by)s, now()
    FROM rows r
    WHERE NOT EXISTS (SELECT 1 FROM {standard} s WHERE s.product_id = r.product_id AND s.year = %(year)s
                      AND s.status = 'published' AND s.standard = r.standard)
    ON CONFLICT (product_id, year) WHERE status = 'draft' DO UPDATE SET
        standard = EXCLUDED.standard, source = EXCLUDED.source, basis = EXCLUDED.basis, award_id = EXCLUDED.award_id,
        lot_id = EXCLUDED.lot_id, selected_price = EXCLUDED.selected_price,
        original_standard = EXCLUDED.original_standard, note = EXCLUDED.note, created_by_id = EXCLUDED.created_by_id
    RETURNING {copied}, (xmax = 0) AS inserted
)
INSERT INTO {history} ({copied}, history_date, history_change_reason, history_type, history_user_id)
SELECT {copied}, %(now)s, %(reason)s, CASE WHEN inserted THEN '+' ELSE '~' END, %(by)s FROM written
RETURNING {id}, history_type = '+'"""
    ).format(
        **NAMES,
        copied=column_list(copied),
        history=Identifier(history_table(PaymentStandard)),
        id=Identifier(PaymentStandard._meta.pk.column),
    )


def derive(
    *, tender_id: int, base_year: int, year: int, rules: LinkageRules, note: str, reason: str, by_id: int | None
) -> list[tuple[int, bool]]:
    """Run `derive_statement`: (id, new) of every standard written, each with its history row."""
    params = {
        "tender_id": tender_id,
        "base_year": base_year,
        "year": year,
        "year_index": year - base_year,
        "mode": rules.selected_price,
        "ratio": rules.ratio_threshold,
        "rate": rules.first_year_rate,
        "steps": rules.step_years,
        "note": note,
        "by": by_id,
        "now": timezone.now(),
        "reason": reason or None,
        "selected_basis": Basis.SELECTED.value,
        "not_evaluated": Basis.NOT_EVALUATED.value,
        "below": Basis.BELOW_SELECTED.value,
        "above": Basis.ABOVE_DOUBLE.value,
        "within": Basis.WITHIN_DOUBLE.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(derive_statement(), params)
        return [(row[0], row[1]) for row in cursor.fetchall()]


def published_references() -> Composed:
    """The published standards in the shape of the price detectors' reference rows (`pricing.sql.detectors`,
    `above_reference`): product, kind `payment_standard`, the standard as `ref` and the calendar year it holds for as
    `valid_from` … `valid_to`. What `selectors.standard_for` reads one product at a time, for a set-based scan."""
    return SQL(
        "SELECT product_id, 'payment_standard' AS kind, standard AS ref, make_date(year, 1, 1) AS valid_from, "
        "make_date(year, 12, 31) AS valid_to FROM {standard} WHERE status = 'published'"
    ).format(**NAMES)
