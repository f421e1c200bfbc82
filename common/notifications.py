"""In-platform notifications with e-mail: the one way a job or a service tells an organisation something.

`notify()` writes a `Notification` for the organisation (in the caller's transaction) and, after commit, mails it
to the organisation's active users who have an e-mail address and may see that kind (Django's mail settings;
the console backend by default). A `topic` makes it idempotent: the same kind and topic for the same organisation
is written once. Set-based producers that insert rows in SQL call `mail_notifications()` with what they wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import get_connection, send_mass_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from accounts.permissions import can

from .errors import ValidationFailed
from .messages import Message, text_of
from .models import Notification
from .numbers import parse_id

log = logging.getLogger(__name__)

# kind → (label, capability a user needs to see it; None = every user of the organisation)
KINDS: dict[str, tuple[str, str | None]] = {
    "price_alert": (_("价格预警"), "pricing.view"),
    "inquiry": (_("函询"), "pricing.answer_inquiry"),
    "inquiry_reply": (_("函询回复"), "pricing.view"),
    "deadline": (_("截止提醒"), None),
    "overdue_payment": (_("逾期未付"), None),
    "commitment_progress": (_("约定采购量进度"), None),
    "order_redirect": (_("订单改派"), "order.place"),
    "order_shortage": (_("订单缺货"), "order.place"),
    "objection": (_("异议与申诉"), None),
    "qualification_expiry": (_("资质证照到期提醒"), None),
    "listing_application": (_("挂网申报"), None),
    "contract": (_("购销合同"), "contract.view"),
}


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, (kind, None))[0])


def _hidden_kinds(user) -> list[str]:
    return [kind for kind, (_label, capability) in KINDS.items() if capability and not can(user, capability)]


def visible_to(user) -> QuerySet[Notification]:
    """The user's inbox: their organisation's notifications of the kinds their role may see."""
    if not getattr(user, "is_authenticated", False) or not user.organization_id:
        return Notification.objects.none()
    return Notification.objects.filter(organization_id=user.organization_id).exclude(kind__in=_hidden_kinds(user))


def unread_count(user) -> int:
    return visible_to(user).filter(read_at__isnull=True).count()


@transaction.atomic
def notify(
    organization,
    kind: str,
    title: str | Message,
    *,
    body: str | Message = "",
    link: str = "",
    topic: str = "",
    level: str = Notification.Level.INFO,
) -> Notification | None:
    """One notification for the organisation, mailed after commit. None when the topic was already notified. A title
    or body given as a `Message` is kept as what it means and shown in the reader's language (common.messages)."""
    org_id = getattr(organization, "pk", organization)
    if topic and Notification.objects.filter(organization_id=org_id, kind=kind, topic=topic).exists():
        return None
    title_text, title_message = text_of(title)
    body_text, body_message = text_of(body)
    note = Notification.objects.create(
        organization_id=org_id,
        kind=kind,
        level=level,
        title=title_text[:200],
        body=body_text,
        message={"title": title_message, "body": body_message},
        link=link[:300],
        topic=topic[:100],
    )
    transaction.on_commit(lambda: mail_notifications([note.pk]))
    return note


def notify_kind(kind_of_org: str, kind: str, title: str, **kwargs) -> list[Notification]:
    """The same notification to every organisation of one kind (e.g. the agencies for a price alert)."""
    orgs = Organization.objects.filter(kind=kind_of_org).values_list("pk", flat=True)
    return [n for n in (notify(pk, kind, title, **kwargs) for pk in orgs) if n is not None]


def _recipients(organization_ids: Iterable[int]) -> dict[tuple[int, str], list[str]]:
    """(organisation, kind; None for a kind not in KINDS) → the addresses of its active users with an e-mail who may
    see that kind: one query for all the organisations, whatever the number of notifications."""
    by_org: dict[int, list] = {}
    for user in User.objects.filter(organization_id__in=organization_ids, is_active=True).exclude(email=""):
        by_org.setdefault(user.organization_id, []).append(user)
    kinds = [*((kind, capability) for kind, (_label, capability) in KINDS.items()), (None, None)]
    return {
        (org_id, kind): [u.email for u in users if capability is None or can(u, capability)]
        for org_id, users in by_org.items()
        for kind, capability in kinds
    }


MAIL_CHUNK = 500  # messages per SMTP connection, and notifications read per round trip


def mail_notifications(notes: Iterable[int] | QuerySet[Notification]) -> int:
    """E-mail each notification (ids, or a queryset of them) to its recipients; a mail failure is logged, never undoes
    the notification. Set-based: the recipients of every organisation concerned are read in one query, only the
    notifications of organisations with a recipient are read, in chunks, and mailed a chunk at a time — the memory
    used does not grow with the number of notifications (a night's progress alerts can be tens of thousands)."""
    qs = Notification.objects.filter(pk__in=notes if isinstance(notes, QuerySet) else list(notes))
    org_ids = qs.order_by().values_list("organization_id", flat=True).distinct()
    recipients = _recipients(org_ids)
    if not recipients:
        return 0
    base = getattr(settings, "PLATFORM_BASE_URL", "").rstrip("/")
    mailed_orgs = {org_id for (org_id, _kind), to in recipients.items() if to}
    sent, messages = 0, []

    def send() -> int:
        try:
            return send_mass_mail(messages, fail_silently=False, connection=get_connection())
        except Exception:
            log.exception("notification mail failed")
            return 0

    for note in qs.filter(organization_id__in=mailed_orgs).order_by("pk").iterator(chunk_size=MAIL_CHUNK):
        to = recipients.get((note.organization_id, note.kind if note.kind in KINDS else None))
        if not to:
            continue
        body = note.body + (f"\n\n{base}{note.link}" if note.link else "")
        messages.append((f"[{_('药械集采平台')}] {note.title}", body, settings.DEFAULT_FROM_EMAIL, to))
        if len(messages) >= MAIL_CHUNK:
            sent += send()
            messages = []
    if messages:
        sent += send()
    return sent


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    qs = visible_to(user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=[i for i in ids if _is_id(i)])
    return qs.update(read_at=timezone.now())


def search(qs: QuerySet[Notification], *, kind: str = "", unread: bool = False, q: str = "") -> QuerySet:
    if kind:
        qs = qs.filter(kind=kind)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return qs


def _is_id(value) -> bool:
    try:
        parse_id(value, field=None)
    except ValidationFailed:
        return False
    return True
