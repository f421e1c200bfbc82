"""The periodic check (beat, `transparency.check_deadlines`): officials are told once of each objection left
unanswered past its deadline and of each tender whose notice period has ended with nothing open (the awards may then
be published). Idempotent: each message has a topic and is written once."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_noop

from common.messages import Message
from common.notifications import notify_kind
from procurement.models import Tender

from ..models import Objection
from .holds import award_hold, notice_for


def check_deadlines(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    overdue = 0
    for objection in Objection.objects.filter(status=Objection.Status.FILED, answer_due__lt=now).order_by("pk"):
        overdue += len(
            notify_kind(
                "agency",
                "objection",
                Message(gettext_noop("异议 #%(pk)s 已超过答复期限"), {"pk": objection.pk}),
                link=f"/transparency/objections/{objection.pk}/",
                topic=f"objection:{objection.pk}:overdue",
                level="warning",
            )
        )
    ended = 0
    for tender in Tender.objects.filter(status=Tender.Status.OPENED).order_by("pk"):
        notice = notice_for(tender)
        if notice is None or notice.running(now) or award_hold(tender):
            continue
        ended += len(
            notify_kind(
                "agency",
                "objection",
                Message(
                    gettext_noop("%(code)s 中选候选结果公示期满，无未办结异议，可公布中选结果"), {"code": tender.code}
                ),
                link=f"/tenders/{tender.pk}/",
                topic=f"notice:{notice.evaluation.pk}:ended",
            )
        )
    return {"overdue": overdue, "notices_ended": ended}
