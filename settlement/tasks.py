"""Celery tasks of direct settlement: thin, idempotent, scheduled by beat (see migration 0002)."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from accounts.models import Region

from .errors import ConflictError
from .generation import fund_for_region, generate_statements, parse_month
from .services.deadlines import settlements_daily_check
from .services.deductions import hospital_deductions_post


@shared_task(
    name="settlement.generate_monthly",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def generate_monthly(self, month: str | None = None, region_code: str | None = None) -> dict:
    """On the 1st: build last month's statements for every pooling region (or one), then post each fund's hospital
    deductions for last month. A rerun, or a run after a crash, builds only what is missing."""
    period = (
        parse_month(month)
        if month
        else (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    )
    region = Region.objects.get(code=region_code) if region_code else None
    try:
        run = generate_statements(month=period, region=region)
    except ConflictError:
        return {"skipped": "another run in progress"}
    regions = [region] if region else Region.objects.filter(level=Region.Level.LEAGUE_CITY)
    deductions = 0
    for reg in regions:
        deductions += len(hospital_deductions_post(fund=fund_for_region(reg), month=period))
    return {"run": run.pk, "statements": run.statements_created, "lines": run.lines_created, "deductions": deductions}


@shared_task(
    name="settlement.daily_check",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def daily_check(self) -> dict:
    """Every day: deemed confirmations past the confirmation window, overdue and due-soon flags."""
    return settlements_daily_check()
