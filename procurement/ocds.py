"""Publication of a tender as an OCDS 1.1.5 release package, validated offline against the official schemas.

Parties are identified by their 统一社会信用代码 under the identifier scheme `settings.OCDS_ORG_SCHEME` (default
"CN-USCC"). Lots and items follow the OCDS lots pattern (`tender.lots`, `items[].relatedLot`, `awards[].relatedLots`).
Bids are never published before the tender is opened: tenderers, the number of tenderers and any price appear only
from the opening on; awards only once they are published.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from .models import Award, Bid, Tender

OCID_PREFIX = "ocds-nmgyx1"
TENDER_STATUS = {
    "draft": "planning",
    "demand_collection": "planning",
    "bidding": "active",
    "opened": "active",
    "awarded": "complete",
    "executing": "complete",
    "closed": "complete",
    "cancelled": "cancelled",
}
SCHEMA_BASE = "https://standard.open-contracting.org/schema/1__1__5/"


def _scheme() -> str:
    return getattr(settings, "OCDS_ORG_SCHEME", "CN-USCC")


def _party_id(org) -> str:
    return f"{_scheme()}-{org.uscc}" if org.uscc else f"PLATFORM-ORG-{org.pk}"


def _party(org, roles: set[str]) -> dict:
    party = {"id": _party_id(org), "name": org.name, "roles": sorted(roles)}
    if org.uscc:
        party["identifier"] = {"scheme": _scheme(), "id": org.uscc, "legalName": org.name}
    return party


def _money(amount) -> dict:
    return {"amount": amount, "currency": "CNY"}  # Decimal; see to_json


def to_json(package: dict) -> str:
    """JSON text of a package. Amounts are Decimals with at most 4 decimals and under 16 significant digits, whose
    shortest float representation is the same decimal text, so writing them as JSON numbers loses nothing."""

    def number(value):
        if isinstance(value, Decimal):
            as_float = float(value)
            if Decimal(repr(as_float)) != value:
                raise ValueError(_("金额 %(value)s 无法无损写成 JSON 数字") % {"value": value})
            return as_float
        raise TypeError(type(value).__name__)

    return json.dumps(package, ensure_ascii=False, indent=2, default=number)


def release_package(tender: Tender, *, publisher) -> dict:
    """The tender's current state as one release in a release package."""
    now = timezone.now()
    opened = tender.bids_open
    awarded = tender.status in (Tender.Status.AWARDED, Tender.Status.EXECUTING, Tender.Status.CLOSED)
    parties: dict[str, dict] = {}

    def add(org, role: str) -> dict:
        pid = _party_id(org)
        entry = parties.setdefault(pid, {"org": org, "roles": set()})
        entry["roles"].add(role)
        return {"id": pid, "name": org.name}

    buyer = add(publisher, "buyer")
    add(publisher, "procuringEntity")
    lots = list(tender.lots.order_by("number"))
    tender_block: dict = {
        "id": tender.code,
        "title": tender.name,
        "status": TENDER_STATUS[tender.status],
        "procurementMethod": "open",
        "procurementMethodDetails": f"{tender.get_level_display()}集中带量采购",
        "mainProcurementCategory": "goods",
        "procuringEntity": buyer,
        "tenderPeriod": {"startDate": tender.demand_end.isoformat(), "endDate": tender.bid_deadline.isoformat()},
        "lots": [
            {
                "id": lot.number,
                "title": f"{lot.generic_name} {lot.dosage_form_group}".strip(),
                "value": _money(lot.max_price),
                "status": TENDER_STATUS[tender.status],
            }
            for lot in lots
        ],
        "items": [
            {
                "id": f"{lot.number}-1",
                "description": f"{lot.generic_name}（{lot.reference_specification or lot.comparison_unit}）",
                "unit": {"name": lot.comparison_unit},
                "relatedLot": lot.number,
            }
            for lot in lots
        ],
    }
    if opened:
        bidders = {
            b.manufacturer
            for b in Bid.objects.filter(tender=tender)
            .exclude(status__in=[Bid.Status.WITHDRAWN, Bid.Status.REPLACED])
            .select_related("manufacturer")
        }
        tender_block["numberOfTenderers"] = len(bidders)
        tender_block["tenderers"] = [add(org, "tenderer") for org in sorted(bidders, key=lambda o: o.pk)]
    release = {
        "ocid": f"{OCID_PREFIX}-{tender.code}",
        "id": f"{tender.code}-{tender.status}-{now:%Y%m%dT%H%M%S}",
        "date": now.isoformat(),
        "tag": ["award"] if awarded else (["tenderCancellation"] if tender.status == "cancelled" else ["tender"]),
        "initiationType": "tender",
        "language": "zh",
        "buyer": buyer,
        "tender": tender_block,
    }
    if awarded:
        awards = (
            Award.objects.filter(tender=tender)
            .select_related("manufacturer", "product", "lot")
            .order_by("lot__number", "rank")
        )
        release["awards"] = [
            {
                "id": f"{tender.code}-{a.lot.number}-{a.rank}",
                "title": f"{a.lot.generic_name} 第{a.rank}顺位中选",
                "status": "active",
                "date": (tender.awarded_at or now).isoformat(),
                "value": _money(a.awarded_price),
                "suppliers": [add(a.manufacturer, "supplier")],
                "relatedLots": [a.lot.number],
                "items": [
                    {
                        "id": a.product.nhsa_code,
                        "description": str(a.product),
                        "unit": {"name": a.product.min_unit, "value": _money(a.awarded_price)},
                    }
                ],
            }
            for a in awards
        ]
    release["parties"] = [_party(v["org"], v["roles"]) for v in parties.values()]
    return {
        "uri": f"{getattr(settings, 'OCDS_BASE_URI', 'https://yaoxie.example.gov.cn/ocds/')}{tender.code}.json",
        "version": "1.1",
        "publishedDate": now.isoformat(),
        "publisher": {"name": publisher.name, "scheme": _scheme(), "uid": publisher.uscc or ""},
        "releases": [release],
    }


def schema_dir() -> Path:
    return Path(getattr(settings, "OCDS_SCHEMA_DIR", settings.BASE_DIR.parent / "shared" / "ocds"))


def validate_package(package: dict) -> list[str]:
    """Errors of the package against the official release-package schema (offline); empty when valid."""
    directory = schema_dir()
    resources = []
    for name in ("release-package-schema.json", "release-schema.json"):
        contents = json.loads((directory / name).read_text(encoding="utf-8"))
        resources.append((SCHEMA_BASE + name, Resource.from_contents(contents, default_specification=DRAFT4)))
    registry = Registry().with_resources(resources)
    root = registry.contents(SCHEMA_BASE + "release-package-schema.json")
    validator = Draft4Validator(root, registry=registry, format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(package)]
