"""Reads of procurement, scoped to the user. Tenders are refreshed on read so their status is never stale."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .models import Tender


def tenders_visible_to(user, *, refresh: bool = True) -> QuerySet[Tender]:
    """Every signed-in user sees the tenders (their bids and demand are scoped separately). Due time-driven
    steps are made first, so a page never shows a tender as open for bids after its opening time."""
    if refresh:
        from .services.tenders import tenders_refresh_due

        tenders_refresh_due(now=timezone.now())
    return Tender.objects.all()
