"""Reads of the stored releases for the public endpoints and the export; the parameters come parsed (ocds.params).

Only stored releases are ever read, and a draft tender never has one: what is not published is simply not found.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.db.models import QuerySet

from .models import OcdsRelease


def releases(*, date_from: datetime | None = None, date_to: datetime | None = None, ocid: str = "") -> QuerySet:
    """Releases oldest first (by date, then as stored), optionally within [date_from, date_to] and of one ocid."""
    queryset = OcdsRelease.objects.order_by("date", "id")
    if date_from is not None:
        queryset = queryset.filter(date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(date__lte=date_to)
    if ocid:
        queryset = queryset.filter(ocid=ocid)
    return queryset


def release_data(queryset: QuerySet) -> list[dict]:
    """The stored releases' JSON, as published."""
    return [json.loads(text) for text in queryset.values_list("data", flat=True)]


def record_releases(ocid: str) -> list[dict]:
    """The releases of one ocid, oldest first; empty when nothing was published under it."""
    return release_data(releases(ocid=ocid))


def releases_of_year(year: int) -> list[dict]:
    """Every release dated in the year (the platform's time zone)."""
    return release_data(OcdsRelease.objects.filter(date__year=year).order_by("date", "id"))


def years() -> list[int]:
    return sorted({d.year for d in OcdsRelease.objects.dates("date", "year")})
