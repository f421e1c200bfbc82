"""Celery tasks of direct settlement: thin, idempotent, scheduled by beat (see migration 0002)."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from accounts.models import Region

from . import cycle
from .errors import ConflictError
from .generation import fund_for_region, generate_statements, parse_period
from .models import SettlementRun
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
    """Builds the statements of the latest ended statement period (or of the period `month` names) for every pooling
    region (or one), then — for the monthly deductions — posts each fund's hospital deductions for last month. Beat
    runs it daily (the name stays for the schedules that call it): for the monthly cycle only the 1st finds a new
    period, for shorter cycles each period's first day does; any other day it builds what is missing, which is
    nothing. A rerun, or a run after a crash, builds only what is missing."""
    today = timezone.localdate()
    period = parse_period(month) if month else cycle.last_ended(today)
    region = Region.objects.get(code=region_code) if region_code else None
    done = SettlementRun.objects.filter(period=period.start, region=region, status=SettlementRun.Status.DONE)
    run = None
    if month or not done.exists():
        try:
            run = generate_statements(month=period.start, region=region)
        except ConflictError:
            return {"skipped": "another run in progress"}
    last_month = (today.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    regions = [region] if region else Region.objects.filter(level=Region.Level.LEAGUE_CITY)
    deductions = 0
    for reg in regions:
        deductions += len(hospital_deductions_post(fund=fund_for_region(reg), month=last_month))
    if run is None:
        return {"period": period.label, "skipped": "already built", "deductions": deductions}
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
