"""Who may take which step of a settlement statement — decided here only.

`statement_allowed_actions(user, statement)` is what the statement page offers (its forms), what the API reports in a
statement's `allowed_actions`, and what the services check (each service raises the reason — wrong status, another
organisation's statement, a missing capability — with its error code). An action is allowed when the statement's
status permits it (`STATUSES`) and the user's role and organisation do (`role_allows`):

| action     | statuses                    | who                                                                      |
|------------|-----------------------------|--------------------------------------------------------------------------|
| `claim`    | draft                       | the manufacturer's users; a fund officer for a deactivated manufacturer |
| `invoices` | draft, claimed              | the manufacturer's users                                                 |
| `review`   | claimed                     | the hospital's users                                                     |
| `approve`  | hospital_confirmed          | fund officers (with reductions, 核减, line by line with reasons)           |
| `return`   | hospital_confirmed          | fund officers (back to the manufacturer, with a reason)                  |
| `pay`      | approved, partially_paid    | fund officers                                                            |

A paid statement allows nothing.
"""

from __future__ import annotations

from accounts.permissions import can

from .models import SettlementStatement

S = SettlementStatement.Status

CLAIM = "claim"
INVOICES = "invoices"
REVIEW = "review"
APPROVE = "approve"
RETURN = "return"
PAY = "pay"

STATUSES: dict[str, frozenset[str]] = {
    CLAIM: frozenset({S.DRAFT}),
    INVOICES: frozenset({S.DRAFT, S.CLAIMED}),
    REVIEW: frozenset({S.CLAIMED}),
    APPROVE: frozenset({S.HOSPITAL_CONFIRMED}),
    RETURN: frozenset({S.HOSPITAL_CONFIRMED}),
    PAY: frozenset(SettlementStatement.PAYABLE_STATUSES),
}
ACTIONS = tuple(STATUSES)
#: The capabilities that may ask for each action at all (the API refuses anyone else before reading the request body).
CAPABILITIES: dict[str, tuple[str, ...]] = {
    CLAIM: ("settlement.claim", "settlement.manage"),
    INVOICES: ("settlement.claim",),
    REVIEW: ("settlement.confirm",),
    APPROVE: ("settlement.manage",),
    RETURN: ("settlement.manage",),
    PAY: ("settlement.manage",),
}


def acts_for_manufacturer(user) -> bool:
    """A fund officer (who is not a manufacturer's user) claims for a deactivated manufacturer, whose own users can
    no longer act, so that what the fund owes it is still paid."""
    return can(user, "settlement.manage") and not can(user, "settlement.claim")


def _own(user, statement: SettlementStatement, party: str) -> bool:
    return getattr(statement, f"{party}_id") == getattr(user, "organization_id", None)


def role_allows(user, statement: SettlementStatement, action: str) -> bool:
    """Whether the user's capabilities and organisation allow the action on this statement, whatever its status."""
    if action == CLAIM:
        if acts_for_manufacturer(user):
            return not statement.manufacturer.is_active
        return can(user, "settlement.claim") and _own(user, statement, "manufacturer")
    if action == INVOICES:
        return can(user, "settlement.claim") and _own(user, statement, "manufacturer")
    if action == REVIEW:
        return can(user, "settlement.confirm") and _own(user, statement, "hospital")
    if action in (APPROVE, RETURN, PAY):
        return can(user, "settlement.manage")
    raise KeyError(f"unknown statement action {action!r}")


def status_allows(statement: SettlementStatement, action: str) -> bool:
    return statement.status in STATUSES[action]


def statement_allowed_actions(user, statement: SettlementStatement) -> set[str]:
    """The steps this user may take on this statement now."""
    return {a for a in ACTIONS if status_allows(statement, a) and role_allows(user, statement, a)}
