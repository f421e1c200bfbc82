"""Celery tasks of procurement: thin, idempotent, called by beat or through the outbox."""

from datetime import datetime

from celery import shared_task
from django.db import OperationalError

from common.faults import checkpoint
from qualifications.services import qualification_expiry_warnings

from .services.listing_qualifications import listings_qualification_watch
from .services.orders import orders_flag_overdue
from .services.progress import progress_compute_all, progress_refresh_hospital
from .services.tenders import tenders_refresh_due


@shared_task(
    name="procurement.refresh_tenders",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def refresh_tenders(self) -> int:
    """Every minute: make the tenders' due time-driven steps (close demand collection, open bids, start and
    close execution). Safe to run twice: a step already made is not made again."""
    return tenders_refresh_due()


@shared_task(
    name="procurement.flag_overdue_orders",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def flag_overdue_orders(self) -> dict:
    """Every 15 minutes: flag orders whose distributor missed the response (24 h) or delivery (72 h) deadline.
    Two set-based updates; running it twice flags nothing twice."""
    return orders_flag_overdue()


@shared_task(
    name="procurement.compute_commitment_progress",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def compute_commitment_progress(self) -> dict:
    """Nightly: recompute every commitment's progress. One transaction, under a lock: a rerun, or a run after a
    killed one, gives the same table; a run that finds another running is recorded as skipped."""
    run = progress_compute_all(progress=lambda step, steps, label: checkpoint(f"commitment-progress:{step}"))
    return {"run": run.pk, "status": run.status, "rows": run.rows}


@shared_task(
    name="procurement.refresh_commitment_progress",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def refresh_commitment_progress(self, hospital_id: int, requested_at: str | None = None) -> dict:
    """After a hospital's receipts or returns (enqueued through the outbox, one pending per hospital); skipped when
    a run started after `requested_at` has already counted them."""
    run = progress_refresh_hospital(
        hospital_id=hospital_id, requested_at=datetime.fromisoformat(requested_at) if requested_at else None
    )
    return {"run": run.pk, "status": run.status, "rows": run.rows}


@shared_task(
    name="procurement.qualification_watch",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def qualification_watch(self) -> dict:
    """Daily: warn holders of qualifications ending in 60 / 30 / 7 days (once each), then suspend the listings whose
    required licence or registration lapsed and reinstate those renewed. Safe to run twice."""
    warned = qualification_expiry_warnings()
    return {"warned": warned, **listings_qualification_watch()}
