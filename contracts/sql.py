"""Purchase contracts in SQL: one draft contract per commitment, written by the database for a whole tender at once
(a tender's awards give about one commitment per hospital and lot: 500 lots × 1,000 hospitals at province scale).
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from psycopg.sql import SQL, Composed, Identifier

from common.history import history_columns, history_table
from common.sql import column_list, column_names, tables
from procurement.models import Award, Commitment, Tender

from .models import PurchaseContract

NAMES = tables(contract=PurchaseContract, commitment=Commitment, tender=Tender, award=Award)

WRITTEN = (
    "number",
    "version",
    "kind",
    "commitment",
    "hospital",
    "manufacturer",
    "product",
    "period_start",
    "period_end",
    "quantity",
    "unit_price",
    "amount",
    "response_hours",
    "delivery_hours",
    "payment_term_days",
    "status",
    "content",
    "digest",
    "created_at",
)


def insert_contracts_statement() -> Composed:
    """A draft contract (version 1, no distributor yet) for every commitment with an agreed volume that has none —
    of one tender, or of every tender when `tender_id` is null: number `HT-<tender code>-<commitment id, at least 6
    digits>` (a longer id is not cut, which would give two commitments one number), the agreed volume and amount, the unit price the amount was computed from (the award's, in the commitment's
    amount / volume: both come from the same award), the cycle, and the delivery and payment terms of the rules.
    The partial unique index on (commitment) where version = 1 makes a second run write nothing; it is the only
    arbiter named (`ON CONFLICT (commitment) WHERE version = 1`), so each row is checked against that index alone, not
    every unique index of the table, and any other conflict is an error, not a contract silently left out.

    The same statement writes the contracts' history rows (created, with `reason` and `by`) from the rows it
    inserted, so the audit trail costs one more INSERT … SELECT whatever the number. Returns the contracts' ids."""
    copied = history_columns(PurchaseContract)
    return SQL(
        """
WITH written AS (
    INSERT INTO {contract} ({written})
    SELECT 'HT-' || t.code || '-' || lpad(c.id::text, GREATEST(length(c.id::text), 6), '0'), 1, 'commitment', c.id,
           c.hospital_id, c.manufacturer_id, c.product_id, c.cycle_start, c.cycle_end, c.agreed_volume, a.awarded_price, c.agreed_amount,
           %(response_hours)s, %(delivery_hours)s, %(payment_term_days)s, 'draft', '{{}}'::jsonb, '', %(now)s
    FROM {commitment} c
    JOIN {tender} t ON t.id = c.tender_id
    JOIN {award} a ON a.id = c.award_id
    WHERE c.agreed_volume > 0 AND (%(tender_id)s::bigint IS NULL OR c.tender_id = %(tender_id)s::bigint)
    ON CONFLICT ({commitment_id}) WHERE version = 1 DO NOTHING
    RETURNING {copied}
)
INSERT INTO {history} ({copied}, history_date, history_change_reason, history_type, history_user_id)
SELECT {copied}, %(now)s, %(reason)s, '+', %(by)s FROM written
RETURNING {id}
"""
    ).format(
        **NAMES,
        written=column_list(column_names(PurchaseContract, WRITTEN)),
        copied=column_list(copied),
        history=Identifier(history_table(PurchaseContract)),
        id=Identifier(PurchaseContract._meta.pk.column),
        commitment_id=Identifier(PurchaseContract._meta.get_field("commitment").column),
    )


def insert_contracts(*, tender_id: int | None, terms: dict, reason: str, by_id: int | None) -> list[int]:
    """Run `insert_contracts_statement`; the ids of the contracts it wrote."""
    params = {**terms, "tender_id": tender_id, "now": timezone.now(), "reason": reason, "by": by_id}
    with connection.cursor() as cursor:
        cursor.execute(insert_contracts_statement(), params)
        return [row[0] for row in cursor.fetchall()]
