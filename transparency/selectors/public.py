"""What the public pages and the public API publish, read in one place so both show exactly the same.

Published, by a tender's state (never a draft, nor a tender cancelled while a draft: 404 — procurement's
`tenders_announced` decides):
- the announcement: code, name, level, kind, dates, the selection rules, lots with their max valid prices;
- the opening record, only once the bids are opened: bidders, products, opened prices and SHA-256 digests (before
  opening nothing of a bid — not its price, not its digest, not even who bid — is published);
- the candidate results with their notice period (公示期), while the tender is opened and evaluated;
- the final results once awarded: per lot the awards with their prices, agreed volumes and amounts;
- the listing results (挂网结果): active listings at their prices.
Never published: sealed prices and ciphertexts, bids' invalid reasons, objections' grounds and answers, audit notes.
The tender's status is read as stored (the one-minute job moves it); a read never makes a step.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from catalog.identity import identity, product_identity
from common.errors import NotFoundError
from procurement.models import Award, Bid, Commitment, Listing, Tender
from procurement.selectors.tenders import tenders_announced

from ..services.holds import notice_for, open_objections

S = Tender.Status
OPENED_BID_STATUSES = (Bid.Status.VALID, Bid.Status.INVALID, Bid.Status.SELECTED, Bid.Status.NOT_SELECTED)
FINAL_STATUSES = (S.AWARDED, S.EXECUTING, S.CLOSED)


def public_tenders(*, status: str = ""):
    qs = tenders_announced().order_by("-demand_start", "code")
    return qs.filter(status=status) if status else qs


def public_tender(pk) -> Tender:
    tender = public_tenders().filter(pk=pk).first()
    if tender is None:
        raise NotFoundError(gettext("批次不存在或尚未公开"), field="id")
    return tender


def stage(tender: Tender) -> str:
    """What the tender's public page leads with: announcement, opening, candidates (notice), results."""
    if tender.status in FINAL_STATUSES:
        return "results"
    if notice_for(tender) is not None:
        return "candidates"
    if tender.bids_open:
        return "opening"
    return "announcement"


def rules_of(tender: Tender) -> dict:
    rules = tender.rules or {}
    return {
        "ratio_to_lowest": rules.get("ratio_to_lowest"),
        "discount_from_max": rules.get("discount_from_max"),
        "floor_price": rules.get("floor_price"),
        "max_winners_cap": rules.get("max_winners_cap"),
        "agreed_share_table": rules.get("agreed_share_table", []),
    }


def announcement(tender: Tender) -> dict:
    lots = [
        {
            "number": lot.number,
            "generic_name": lot.generic_name,
            "dosage_form_group": lot.dosage_form_group,
            "reference_specification": lot.reference_specification,
            "comparison_unit": lot.comparison_unit,
            "max_price": lot.max_price,
            "quality_requirement": lot.get_quality_requirement_display() if lot.quality_requirement else "",
        }
        for lot in tender.lots.order_by("number")
    ]
    return {
        "id": tender.pk,
        "code": tender.code,
        "name": tender.name,
        "level": tender.get_level_display(),
        "kind": tender.get_kind_display(),
        "status": tender.status,
        "status_label": tender.get_status_display(),
        "stage": stage(tender),
        "demand_start": tender.demand_start,
        "demand_end": tender.demand_end,
        "bid_deadline": tender.bid_deadline,
        "opening_at": tender.opening_at,
        "opened_at": tender.opened_at,
        "awarded_at": tender.awarded_at,
        "cycle_start": tender.cycle_start,
        "cycle_end": tender.cycle_end,
        "cancel_reason": tender.cancel_reason if tender.status == S.CANCELLED else "",
        "rules": rules_of(tender),
        "lots": lots,
    }


def opening_record(tender: Tender) -> list[dict] | None:
    """Per opened bid: lot, bidder, product, price, digest and validity. None before the opening."""
    if not tender.bids_open:
        return None
    bids = (
        Bid.objects.filter(tender=tender, status__in=OPENED_BID_STATUSES)
        .select_related("lot", "manufacturer", "product")
        .order_by("lot__number", "manufacturer__name", "pk")
    )
    return [
        {
            "lot": bid.lot.number,
            "generic_name": bid.lot.generic_name,
            "bidder": bid.manufacturer.name,
            "bidder_uscc": bid.manufacturer.uscc,
            "product": product_identity(bid.product, maker=False),  # the bidder has its own column
            "price": bid.price,
            "digest": bid.seal_hash,
            "valid": bid.status != Bid.Status.INVALID,
        }
        for bid in bids
    ]


def candidates(tender: Tender) -> dict | None:
    """The current evaluation's winners per lot, ranked, with the notice period and how many objections are open.
    None outside the notice (before evaluation, after the awards)."""
    notice = notice_for(tender)
    if notice is None:
        return None
    winner_ids = {int(lot_id): out.get("winner_ids", []) for lot_id, out in notice.evaluation.outputs.items()}
    bids = Bid.objects.filter(pk__in=[i for ids in winner_ids.values() for i in ids]).select_related(
        "manufacturer", "product"
    )
    by_id = {bid.pk: bid for bid in bids}
    lots = []
    for lot in tender.lots.order_by("number"):
        rows = [
            {
                "rank": rank,
                "manufacturer": by_id[bid_id].manufacturer.name,
                "product": product_identity(by_id[bid_id].product, maker=False),
                "price": by_id[bid_id].price,
                "comparison_price": by_id[bid_id].comparison_price,
            }
            for rank, bid_id in enumerate(winner_ids.get(lot.pk, []), start=1)
            if bid_id in by_id
        ]
        lots.append({"number": lot.number, "generic_name": lot.generic_name, "candidates": rows})
    return {
        "run_no": notice.evaluation.run_no,
        "rerun": bool(notice.evaluation.reason),
        "notice_starts": notice.starts,
        "notice_ends": notice.ends,
        "notice_running": notice.running(),
        "open_objections": open_objections().filter(tender=tender).count(),
        "lots": lots,
    }


def final_results(tender: Tender) -> list[dict] | None:
    """Per lot: the awards with price, agreed volume and amount (sums of the commitments). None before the awards."""
    if tender.status not in FINAL_STATUSES:
        return None
    sums = {
        row["award_id"]: row
        for row in Commitment.objects.filter(tender=tender)
        .values("award_id")
        .annotate(volume=Sum("agreed_volume"), amount=Sum("agreed_amount"), hospitals=Count("hospital_id"))
    }
    by_lot: dict[int, list] = defaultdict(list)
    for award in Award.objects.filter(tender=tender).select_related("manufacturer", "product").order_by("lot", "rank"):
        agreed = sums.get(award.pk, {})
        by_lot[award.lot_id].append(
            {
                "rank": award.rank,
                "manufacturer": award.manufacturer.name,
                "product": product_identity(award.product, maker=False),
                "awarded_price": award.awarded_price,
                "agreed_volume": agreed.get("volume") or 0,
                "agreed_amount": agreed.get("amount") or Decimal("0.00"),
                "hospitals": agreed.get("hospitals") or 0,
            }
        )
    return [
        {
            "number": lot.number,
            "generic_name": lot.generic_name,
            "comparison_unit": lot.comparison_unit,
            "awards": by_lot.get(lot.pk, []),
            "agreed_volume": sum(a["agreed_volume"] for a in by_lot.get(lot.pk, [])),
            "agreed_amount": sum((a["agreed_amount"] for a in by_lot.get(lot.pk, [])), Decimal("0.00")),
        }
        for lot in tender.lots.order_by("number")
    ]


def public_listings(*, q: str = ""):
    """Active listings valid today (挂网结果), the product's names searchable."""
    today = timezone.localdate()
    qs = (
        Listing.objects.filter(status=Listing.Status.ACTIVE, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("product", "manufacturer")
        .order_by("product__generic_name", "unit_price", "pk")
    )
    if q:
        qs = qs.filter(
            Q(product__generic_name__icontains=q)
            | Q(product__trade_name__icontains=q)
            | Q(manufacturer__name__icontains=q)
        )
    return qs


def listing_row(listing: Listing) -> dict:
    return {
        "id": listing.pk,
        "generic_name": listing.product.generic_name,
        "trade_name": listing.product.trade_name,
        "specification": listing.product.specification,
        "nhsa_code": listing.product.nhsa_code,
        # name, strength, form, pack and maker: two listings of one generic name told apart
        "product_identity": identity(listing.product, maker=listing.manufacturer).text(),
        "manufacturer": listing.manufacturer.name,
        "unit_price": listing.unit_price,
        "pack_price": listing.pack_price,
        "source": listing.get_source_display(),
        "valid_from": listing.valid_from,
        "valid_to": listing.valid_to,
    }
