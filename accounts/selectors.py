"""Reads of organisations, regions and users, scoped to the asking user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from common.models import events_for

from .models import ApiToken, Organization, Region, User
from .permissions import scope_to_organization


def regions(*, pooling_only: bool = False) -> QuerySet[Region]:
    qs = Region.objects.select_related("parent")
    if pooling_only:
        qs = qs.filter(level=Region.Level.LEAGUE_CITY)
    return qs


def region_by_code(code: str) -> Region | None:
    return Region.objects.filter(code=str(code).strip()).first()


def organizations_visible_to(user) -> QuerySet[Organization]:
    return scope_to_organization(Organization.objects.select_related("region"), user, field="pk")


def users_visible_to(user) -> QuerySet[User]:
    qs = User.objects.select_related("organization__region").prefetch_related("roles")
    return scope_to_organization(qs, user, field="organization")


def organization_status_events(organization: Organization):
    """Its deactivations and reactivations, newest first: who, when, why."""
    return events_for(organization).filter(action__in=("deactivated", "reactivated")).order_by("-at", "-pk")


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """The user's own API tokens still valid, newest first: nobody sees another user's tokens, not even an admin of
    the same organisation (the Django admin is where platform administrators revoke them)."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created", "pk")
