"""The public notice period (公示期) of a tender's candidate results, and what open objections hold back.

A tender's candidate results are its current evaluation run once the bids are opened; their notice runs from the
run's time for `TENDER_NOTICE_DAYS` (read at the time of use, common.rules). A re-run (an upheld objection) is a new
run and so a new notice period. The awards wait (procurement.hooks.award_holds) until the period has ended and no
objection of the tender is open; a credit record objected to before its start does not take effect while the
objection is open (pricing.hooks.credit_effect_holds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from common import rules
from procurement.models import Tender, TenderEvaluation

from ..models import Appeal, Objection


@dataclass(frozen=True)
class Notice:
    """The public notice of a tender's candidate results (one evaluation run)."""

    evaluation: TenderEvaluation
    starts: datetime
    ends: datetime

    def running(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) < self.ends


def notice_for(tender: Tender) -> Notice | None:
    """The notice of the tender's current candidate results: only between opening (evaluated) and the awards."""
    if tender.status != Tender.Status.OPENED:
        return None
    # the run's dates only: its inputs and outputs (every bid, with reasons) are not decoded for them
    run = tender.evaluations.filter(is_current=True).defer("inputs", "outputs").first()
    if run is None:
        return None
    return Notice(evaluation=run, starts=run.run_at, ends=run.run_at + timedelta(days=rules.transparency().notice_days))


def open_objections(now: datetime | None = None) -> QuerySet[Objection]:
    """Objections not yet settled: unanswered; rejected with the appeal window still open and no appeal; appealed
    and not yet decided."""
    now = now or timezone.now()
    return Objection.objects.filter(
        Q(status=Objection.Status.FILED)
        | Q(status=Objection.Status.REJECTED, appeal_due__gt=now, appeal__isnull=True)
        | Q(appeal__status=Appeal.Status.FILED)
    )


def award_hold(tender: Tender) -> str:
    """procurement.hooks.award_holds: why the tender's awards must wait, or ""."""
    notice = notice_for(tender)
    if notice is None:
        return ""
    if notice.running():
        return gettext("中选候选结果公示期至 %(end)s 结束，公示期满且无未办结的异议后方可公布中选结果") % {
            "end": date_format(timezone.localtime(notice.ends), "Y-m-d H:i")
        }
    if open_objections().filter(tender=tender).exists():
        return gettext("本批次有未办结的异议或申诉，办结后方可公布中选结果")
    return ""


def credit_hold(record) -> bool:
    """pricing.hooks.credit_effect_holds: an open objection holds the record from taking effect."""
    return open_objections().filter(credit_record_id=record.pk).exists()
