"""Celery tasks of price monitoring: thin, idempotent, scheduled by data migrations (django-celery-beat)."""

from celery import shared_task
from django.db import OperationalError

from common.errors import ConflictError

from .services.alerts import inquiry_deadline_reminders
from .services.credit import credit_rate_quarter, credit_records_maintain
from .services.observations import observations_backfill_receipts, observations_record_receipt
from .services.references import reference_prices_sync_awards
from .services.scan import price_scan_run
from .services.shortage import shortage_watch_run


@shared_task(
    name="pricing.scan_prices",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def scan_prices(self, full: bool = False) -> dict:
    """Nightly: every detector over the observations new since the last scan. A scan already running is not an
    error (the nightly run simply skips); a crashed run is taken over once stale."""

    observations_backfill_receipts()  # receipts whose observation task was lost are caught up first
    try:
        scan = price_scan_run(full=full)
    except ConflictError:
        return {"skipped": "running"}
    return {"scan": scan.pk, "opened": scan.alerts_opened, "updated": scan.alerts_updated}


@shared_task(
    name="pricing.shortage_watch",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def shortage_watch(self) -> dict:

    return shortage_watch_run()


@shared_task(
    name="pricing.credit_maintenance",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def credit_maintenance(self) -> dict:
    """Daily: start and end credit records on their dates, sync the VBP awarded reference prices, and rate the
    current quarter (a rating is rewritten until the quarter ends); remind recipients of inquiries due soon."""

    result = credit_records_maintain()
    result["rated"] = credit_rate_quarter()
    result["references"] = reference_prices_sync_awards()

    result["inquiry_reminders"] = inquiry_deadline_reminders()
    return result


@shared_task(
    name="pricing.record_receipt",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def record_receipt(self, receipt_id: int) -> int:
    """One price observation per accepted line of the receipt (idempotent: a line already recorded is skipped)."""

    return observations_record_receipt(receipt_id=receipt_id)
