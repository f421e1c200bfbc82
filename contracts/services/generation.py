"""Purchase contracts for commitments, generated set-based: when a tender's awards are published (procurement's
`tender_awarded` hook), and by `manage.py generate_contracts` / the `contracts.generate` task for commitments that
exist already. Idempotent: a commitment with a contract gets no second one."""

from __future__ import annotations

from django.db import transaction

from accounts.permissions import require

from .. import content, sql


@transaction.atomic
def contracts_generate(*, tender_id: int | None = None, by=None) -> int:
    """Draft contracts for the commitments (of one tender, or all) that have none; how many were written."""
    if by is not None:
        require(by, "contract.generate")
    # the statement writes the history rows too: the generation's audit trail, whatever the number
    ids = sql.insert_contracts(
        tender_id=tender_id, terms=content.terms_from_rules(), reason="生成购销合同", by_id=getattr(by, "pk", None)
    )
    return len(ids)
