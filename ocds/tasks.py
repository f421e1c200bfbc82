"""Celery tasks of the OCDS publication: thin, idempotent (an unchanged process gets no new release)."""

from celery import shared_task
from django.db import OperationalError

from procurement.models import Tender

from .services import releases_publish, releases_publish_all


@shared_task(
    name="ocds.publish_tender",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def publish_tender(self, tender_id: int) -> int:
    """After a tender's status change or a payment: store the releases of its processes that changed."""
    tender = Tender.objects.filter(pk=tender_id).first()
    return len(releases_publish(tender=tender)) if tender else 0


@shared_task(
    name="ocds.publish_all",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def publish_all(self) -> int:
    """Nightly: every published tender, for whatever changed without a signal (bulk payments)."""
    return releases_publish_all()
