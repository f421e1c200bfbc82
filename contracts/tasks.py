"""Celery tasks of purchase contracts: thin, idempotent."""

from celery import shared_task
from django.db import OperationalError

from .services.generation import contracts_generate


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def generate_contracts(self, tender_id: int | None = None) -> int:
    """Draft contracts for commitments without one (safe to run twice, and after a crash)."""
    return contracts_generate(tender_id=tender_id)
