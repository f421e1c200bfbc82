"""Everything a tender's releases are built from, read once per tender in a few set-based queries.

Only what may be published is read: bids from the opening on, awards and commitments once the awards are published.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum

from accounts.models import Organization
from procurement.models import Award, Bid, Commitment, DemandReport, Lot, Tender
from settlement.models import FundAccount

from .contracts import ContractRow, contract_rows
from .transactions import TransactionPart, transactions_by_commitment

S = Tender.Status
AWARDS_PUBLISHED = (S.AWARDED, S.EXECUTING, S.CLOSED)


def publisher() -> Organization | None:
    """The procurement centre that publishes (OCDS `buyer` of the framework processes): the agency with the USCC
    `settings.OCDS_PUBLISHER_USCC`, or else the first agency organisation."""
    agencies = Organization.objects.filter(kind=Organization.Kind.AGENCY).order_by("pk")
    if settings.OCDS_PUBLISHER_USCC:
        return agencies.filter(uscc=settings.OCDS_PUBLISHER_USCC).first()
    return agencies.first()


@dataclass
class TenderData:
    tender: Tender
    centre: Organization
    lots: list[Lot]
    bidding_started: datetime | None = None
    demand: dict[int, int] = field(default_factory=dict)  # lot id → reported annual volume
    bids: list[Bid] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    agreed: dict[int, tuple[int, Decimal]] = field(default_factory=dict)  # award id → (volume, amount)
    commitments: dict[int, list[Commitment]] = field(default_factory=dict)  # hospital id → its commitments
    hospitals: dict[int, Organization] = field(default_factory=dict)
    funds: dict[int, tuple[FundAccount, Organization | None]] = field(default_factory=dict)  # hospital id → fund
    contracts: dict[int, list[ContractRow]] = field(default_factory=dict)  # commitment id → contracts
    transactions: dict[int, list[TransactionPart]] = field(default_factory=dict)  # commitment id → payment parts
    orgs: dict[int, Organization] = field(default_factory=dict)  # manufacturers and distributors by id

    @property
    def awards_published(self) -> bool:
        return self.tender.status in AWARDS_PUBLISHED


def load(tender: Tender, centre: Organization) -> TenderData:
    data = TenderData(tender=tender, centre=centre, lots=list(tender.lots.order_by("number")))
    started = tender.history.filter(status=S.BIDDING).order_by("history_date").values_list("history_date").first()
    data.bidding_started = started[0] if started else None
    data.demand = dict(
        DemandReport.objects.filter(tender=tender)
        .values("lot_id")
        .annotate(total=Sum("annual_volume"))
        .values_list("lot_id", "total")
    )
    if tender.bids_open:
        data.bids = list(
            Bid.objects.filter(tender=tender)
            .exclude(status__in=[Bid.Status.WITHDRAWN, Bid.Status.REPLACED, Bid.Status.SUBMITTED])
            .select_related("manufacturer", "lot")
            .order_by("lot__number", "pk")
        )
    if data.awards_published:
        _load_awards(data)
    return data


def _load_awards(data: TenderData) -> None:
    tender = data.tender
    data.awards = list(
        Award.objects.filter(tender=tender)
        .select_related("manufacturer", "product", "lot", "bid")
        .order_by("lot__number", "rank")
    )
    data.agreed = {
        row["award_id"]: (row["volume"], row["amount"])
        for row in Commitment.objects.filter(tender=tender)
        .values("award_id")
        .annotate(volume=Sum("agreed_volume"), amount=Sum("agreed_amount"))
    }
    commitments = list(
        Commitment.objects.filter(tender=tender)
        .select_related("lot", "product", "manufacturer", "award")
        .order_by("hospital_id", "lot__number")
    )
    by_hospital: dict[int, list[Commitment]] = defaultdict(list)
    for commitment in commitments:
        by_hospital[commitment.hospital_id].append(commitment)
    data.commitments = dict(by_hospital)
    data.hospitals = Organization.objects.select_related("region__parent").in_bulk(list(by_hospital))
    _load_funds(data)
    rows = contract_rows(tender)
    by_commitment: dict[int, list[ContractRow]] = defaultdict(list)
    for row in rows:
        by_commitment[row.commitment_id].append(row)
    data.contracts = {key: sorted(value, key=lambda r: (r.number, r.version)) for key, value in by_commitment.items()}
    org_ids = {c.manufacturer_id for c in commitments} | {r.distributor_id for r in rows if r.distributor_id}
    data.orgs = Organization.objects.in_bulk(list(org_ids))
    data.transactions = transactions_by_commitment(tender, commitments)


def _load_funds(data: TenderData) -> None:
    """The fund of each hospital's pooling region, with the agency of that region that administers it."""
    pooling = {h.pk: h.region.pooling_region for h in data.hospitals.values() if h.region_id}
    funds = {f.region_id: f for f in FundAccount.objects.filter(region__in={r.pk for r in pooling.values()})}
    for fund in funds.values():
        fund.region = next(r for r in pooling.values() if r.pk == fund.region_id)
    agencies = {}
    for agency in Organization.objects.filter(kind=Organization.Kind.AGENCY, region_id__in=list(funds)).order_by("pk"):
        agencies.setdefault(agency.region_id, agency)
    for hospital_id, region in pooling.items():
        if region.pk in funds:
            data.funds[hospital_id] = (funds[region.pk], agencies.get(region.pk))
