"""What every section of a release shares: identifiers (ocids, party ids), money, and the parties collected while the
sections are built.

Parties are identified by their 统一社会信用代码 under the org-id scheme `settings.OCDS_ORG_SCHEME` ("CN-USCC");
an organisation without one gets a platform id (`PLATFORM-ORG-<pk>`) and no `identifier`. The fund of a pooling
region (`FundAccount`) is no legal person: its party id is `CN-FUND-<region code>` and its `identifier` is the USCC of
the agency organisation of that region (the 医保局 that administers it) when there is one.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

CURRENCY = "CNY"


def ocid_prefix() -> str:
    return settings.OCDS_OCID_PREFIX


def framework_ocid(tender) -> str:
    """The tender: the framework process (tender, bids, awards of the lots)."""
    return f"{ocid_prefix()}-{tender.code}"


def call_off_ocid(tender, hospital) -> str:
    """One hospital's call-off under the tender: its agreed volumes (awards) and purchase contracts."""
    return f"{framework_ocid(tender)}-{hospital.uscc or f'H{hospital.pk}'}"


def scheme() -> str:
    return settings.OCDS_ORG_SCHEME


def money(amount: Decimal) -> dict:
    return {"amount": amount, "currency": CURRENCY}


def iso(moment) -> str:
    """An aware datetime in ISO 8601, to the second, in the platform's time zone (+08:00)."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def iso_day(day: date, *, end: bool = False) -> str:
    """A date as a date-time in the platform's time zone: its first second, or (end) its last."""
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min).replace(microsecond=0)).isoformat()


def party_id(org) -> str:
    return f"{scheme()}-{org.uscc}" if org.uscc else f"PLATFORM-ORG-{org.pk}"


class Parties:
    """The parties of one release: each organisation once, with every role it plays in the release."""

    def __init__(self) -> None:
        self._entries: dict[str, dict] = {}

    def add(self, org, role: str) -> dict:
        """Give the organisation the role; return its OrganizationReference."""
        pid = party_id(org)
        entry = self._entries.setdefault(pid, {"name": org.name, "roles": set(), "uscc": org.uscc, "legal": org.name})
        entry["roles"].add(role)
        return {"id": pid, "name": org.name}

    def add_fund(self, fund, administrator) -> dict:
        """The pooling region's fund as `payer`; `administrator` is the agency whose USCC identifies it, or None."""
        pid = f"CN-FUND-{fund.region.code}"
        entry = self._entries.setdefault(
            pid,
            {
                "name": fund.name,
                "roles": set(),
                "uscc": administrator.uscc if administrator else None,
                "legal": administrator.name if administrator else fund.name,
            },
        )
        entry["roles"].add("payer")
        return {"id": pid, "name": fund.name}

    def as_list(self) -> list[dict]:
        parties = []
        for pid, entry in sorted(self._entries.items()):
            party = {"id": pid, "name": entry["name"], "roles": sorted(entry["roles"])}
            if entry["uscc"]:
                party["identifier"] = {"scheme": scheme(), "id": entry["uscc"], "legalName": entry["legal"]}
            parties.append(party)
        return parties
