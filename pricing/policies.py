"""Who may do what to a case: the one place the API, the pages and the templates ask.

- `alert_allowed_actions(user, alert)`: the review steps the user may take on the case now (its state and their
  role decide; the services check the same again under the row lock).
- `official_covers_region(user, region)`: a pricing official of a league's agency — one named (by its USCC) in the
  setting `PRICE_REVIEW_REGIONAL_AGENCIES` — handles the cases of its league only; an official of any other agency
  (the province's) handles every case.
"""

from __future__ import annotations

from accounts.permissions import can, is_official
from common import rules

from .models import PriceAlert

A = PriceAlert.Status
# step → the states it may start from (the model's FSM transitions; `assign` also hands over a case in review)
STEPS = {
    "assign": PriceAlert.OPEN_STATUSES,
    "inquiry": (A.IN_REVIEW, A.INQUIRY_SENT),
    "interview": (A.IN_REVIEW, A.INQUIRY_SENT, A.INTERVIEWED),
    "resolve": (A.IN_REVIEW, A.INQUIRY_SENT, A.INTERVIEWED),
    "dismiss": PriceAlert.OPEN_STATUSES,
}


def is_reviewer(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and can(user, "pricing.review") and is_official(user))


def alert_allowed_actions(user, alert: PriceAlert) -> set[str]:
    """The review steps `user` may take on `alert` in its current state."""
    if not is_reviewer(user):
        return set()
    return {step for step, states in STEPS.items() if alert.status in states}


def _league(region):
    while region is not None and region.parent_id is not None:
        region = region.parent
    return region


def official_region(user):
    """The league an official's agency is limited to, or None for the whole province."""
    org = getattr(user, "organization", None)
    if org is None or org.region_id is None:
        return None
    if org.uscc not in rules.prices().regional_agencies:
        return None
    return _league(org.region)


def official_covers_region(user, region) -> bool:
    limit = official_region(user)
    return limit is None or region is None or _league(region) == limit
