"""Celery tasks of the transparency app: thin, idempotent."""

from celery import shared_task
from django.db import OperationalError

from .services.deadlines import check_deadlines


@shared_task(
    name="transparency.check_deadlines", bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5
)
def check_objection_deadlines(self) -> dict[str, int]:
    return check_deadlines()
