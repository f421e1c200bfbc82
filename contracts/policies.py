"""Who may take which step of a purchase contract — decided here only, for the pages, the API (`allowed_actions`)
and the services alike.

| action               | status    | who                                                                  |
|----------------------|-----------|----------------------------------------------------------------------|
| `choose_distributor` | draft     | the hospital's users (甲方 picks among the distributors authorised)    |
| `confirm`            | pending   | a user of a party that has not confirmed this version yet            |
| `amend`              | in_force  | the hospital's or the manufacturer's users, no amendment pending     |

Officials see every contract and sign none.
"""

from __future__ import annotations

from accounts.permissions import can

from .models import Party, PurchaseContract

S = PurchaseContract.Status

CHOOSE_DISTRIBUTOR = "choose_distributor"
CONFIRM = "confirm"
AMEND = "amend"
ACTIONS = (CHOOSE_DISTRIBUTOR, CONFIRM, AMEND)


def party_of(user, contract: PurchaseContract) -> str | None:
    """The party the user signs for in this contract (None for officials and strangers)."""
    if not can(user, "contract.sign"):
        return None
    return contract.party_of(getattr(user, "organization_id", None))


def confirmed_parties(contract: PurchaseContract) -> set[str]:
    cached = getattr(contract, "_prefetched_objects_cache", {}).get("confirmations")
    if cached is not None:
        return {c.party for c in cached}
    return set(contract.confirmations.values_list("party", flat=True))


def awaiting_parties(contract: PurchaseContract) -> list[str]:
    """The parties whose confirmation the contract still needs, in order (empty unless pending)."""
    if contract.status != S.PENDING:
        return []
    done = confirmed_parties(contract)
    return [p for p in (Party.HOSPITAL, Party.MANUFACTURER, Party.DISTRIBUTOR) if p not in done]


def has_pending_amendment(contract: PurchaseContract) -> bool:
    """An amendment of this version exists (read through the reverse one-to-one, which the list selects with the
    contract: no query per row)."""
    try:
        return contract.next_version is not None
    except PurchaseContract.next_version.RelatedObjectDoesNotExist:
        return False


def contract_allowed_actions(user, contract: PurchaseContract) -> set[str]:
    party = party_of(user, contract)
    if party is None:
        return set()
    allowed = set()
    if contract.status == S.DRAFT and party == Party.HOSPITAL:
        allowed.add(CHOOSE_DISTRIBUTOR)
    if contract.status == S.PENDING and party in awaiting_parties(contract):
        allowed.add(CONFIRM)
    if (
        contract.status == S.IN_FORCE
        and party in (Party.HOSPITAL, Party.MANUFACTURER)
        and not has_pending_amendment(contract)
    ):
        allowed.add(AMEND)
    return allowed
