"""Purchase contracts for commitments, generated set-based: when a tender's awards are published (procurement's
`tender_awarded` hook), and by `manage.py generate_contracts` / the `contracts.generate` task for commitments that
exist already. Idempotent: a commitment with a contract gets no second one."""

from __future__ import annotations

from django.db import transaction

from accounts.permissions import require
from common.history import record_history

from .. import content, sql
from ..models import PurchaseContract


@transaction.atomic
def contracts_generate(*, tender_id: int | None = None, by=None) -> int:
    """Draft contracts for the commitments (of one tender, or all) that have none; how many were written."""
    if by is not None:
        require(by, "contract.generate")
    ids = sql.insert_contracts(tender_id=tender_id, terms=content.terms_from_rules())
    if ids:
        # the history rows are the generation's audit trail (one INSERT … SELECT, whatever the number)
        record_history(PurchaseContract.objects.filter(pk__in=ids), history_type="+", by=by, reason="生成购销合同")
    return len(ids)
