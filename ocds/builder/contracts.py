"""Purchase contracts (购销合同, the `contracts` app) as the `contracts` of a hospital's call-off.

`contract_rows(tender)` gives the tender's contracts per commitment: of each contract number the version in force, or
the latest pending one when none is in force yet (a supplementary agreement awaiting its confirmations leaves the
version in force published); drafts are never published, superseded versions are replaced by the version that
superseded them. Annual contracts of listings belong to no tender and are not published here. Contracts are not made
from commitments as well: a commitment's volume would then be counted twice. A contract that changes queues the
tender's publication (`ocds.signals`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from contracts.models import PurchaseContract

from .context import iso, iso_day, money

# Platform contract status → OCDS contractStatus. A draft is never published (None); a status not listed here is
# published as "pending". An active contract of a closed tender (the cycle is over) is "terminated".
CONTRACT_STATUS = {
    "draft": None,
    "pending": "pending",
    "in_force": "active",
    "superseded": "terminated",
    "pending_signature": "pending",
    "signed": "active",
    "active": "active",
    "completed": "terminated",
    "expired": "terminated",
    "terminated": "terminated",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class ContractRow:
    """What the release needs of one purchase contract (hospital × manufacturer × distributor, per commitment)."""

    number: str  # the contract number, unique on the platform: the OCDS contract id
    version: int  # the contract's version (a supplementary agreement raises it)
    commitment_id: int  # the Commitment the contract executes: links it to the call-off's award
    hospital_id: int
    manufacturer_id: int
    distributor_id: int | None
    status: str  # the platform's status (CONTRACT_STATUS)
    period_start: date
    period_end: date
    quantity: int  # minimum units
    unit_price: Decimal  # per minimum unit, 4 places
    amount: Decimal  # quantity × unit price, 2 places
    signed_at: datetime | None


def contract_rows(tender) -> list[ContractRow]:
    """The tender's published purchase contracts: per contract number, the version in force, else the latest pending
    one (see the module's docstring)."""
    chosen: dict[str, PurchaseContract] = {}
    contracts = (
        PurchaseContract.objects.filter(commitment__tender=tender)
        .exclude(status__in=[PurchaseContract.Status.DRAFT, PurchaseContract.Status.SUPERSEDED])
        .order_by("number", "version")
    )
    for contract in contracts:
        kept = chosen.get(contract.number)
        if kept is None or kept.status != PurchaseContract.Status.IN_FORCE:
            chosen[contract.number] = contract
    return [
        ContractRow(
            number=c.number,
            version=c.version,
            commitment_id=c.commitment_id,
            hospital_id=c.hospital_id,
            manufacturer_id=c.manufacturer_id,
            distributor_id=c.distributor_id,
            status=c.status,
            period_start=c.period_start,
            period_end=c.period_end,
            quantity=c.quantity,
            unit_price=c.unit_price,
            amount=c.amount,
            signed_at=c.signed_at,
        )
        for c in chosen.values()
    ]


def contract_status(row: ContractRow, *, tender_closed: bool) -> str | None:
    status = CONTRACT_STATUS.get(row.status, "pending")
    if status == "active" and tender_closed:
        return "terminated"
    return status


def contract_release_entry(row: ContractRow, *, award_id: str, item: dict, status: str, transactions: list) -> dict:
    """One contract of a call-off: its period, total value and items (quantity, unit price), its payments."""
    entry = {
        "id": row.number,
        "awardID": award_id,
        "title": f"{row.number} v{row.version}",
        "status": status,
        "period": {"startDate": iso_day(row.period_start), "endDate": iso_day(row.period_end, end=True)},
        "value": money(row.amount),
        "items": [{**item, "quantity": row.quantity, "unit": {**item["unit"], "value": money(row.unit_price)}}],
    }
    if row.signed_at:
        entry["dateSigned"] = iso(row.signed_at)
    if transactions:
        entry["implementation"] = {"transactions": transactions}
    return entry
