"""The framework process of a tender (ocid `<prefix>-<tender code>`): one function per section of its release.

Values are totals (OCDS defines `value` as a total): a lot's value is its ceiling price × the volume hospitals
reported; an award's value is the sum of the agreed amounts of its commitments (awarded price × agreed volume per
hospital, each rounded to the cent as the commitments are), so that summing award values gives the agreed amounts.
Unit prices are published as `unit.value` of the items, whose `quantity` is the reported demand (tender items) or
the agreed volume (award items).
"""

from __future__ import annotations

from decimal import Decimal

from common.money import quantize_amount
from procurement.models import Bid, Tender

from .context import iso, iso_day, money
from .data import TenderData

S = Tender.Status
TENDER_STATUS = {
    S.DEMAND_COLLECTION: "planned",
    S.BIDDING: "active",
    S.OPENED: "active",
    S.AWARDED: "complete",
    S.EXECUTING: "complete",
    S.CLOSED: "complete",
    S.CANCELLED: "cancelled",
}
# OCDS awardStatus by the tender's status (awards are published from `awarded` on).
AWARD_STATUS = {S.AWARDED: "active", S.EXECUTING: "active", S.CLOSED: "active"}
BID_STATUS = {
    Bid.Status.VALID: "valid",
    Bid.Status.SELECTED: "valid",
    Bid.Status.NOT_SELECTED: "valid",
    Bid.Status.INVALID: "disqualified",
}
PROCUREMENT_METHOD_DETAILS = "集中带量采购（框架协议：中选产品按医疗机构报量分配约定采购量）"


def awarded_on(data: TenderData) -> dict:
    return {"date": iso(data.tender.awarded_at)} if data.tender.awarded_at else {}


def lot_title(lot) -> str:
    return f"{lot.generic_name} {lot.dosage_form_group}".strip()


def lot_item(lot) -> dict:
    """What is bought under a lot, priced per comparison unit."""
    return {
        "id": lot.number,
        "description": f"{lot.generic_name}（{lot.reference_specification or lot.comparison_unit}）",
        "unit": {"name": lot.comparison_unit},
        "relatedLot": lot.number,
    }


def _lot_status(data: TenderData, lot) -> str:
    if data.awards_published and not any(a.lot_id == lot.pk for a in data.awards):
        return "unsuccessful"
    return TENDER_STATUS[data.tender.status]


def _bidding_start(data: TenderData):
    """When bids could be submitted: the tender's move to bidding (its history), or before that the end of demand
    collection it is planned for (also when the recorded move comes after the deadline, as when dates were moved)."""
    started, tender = data.bidding_started, data.tender
    return started if started and started <= tender.bid_deadline else tender.demand_end


def tender_section(data: TenderData, parties) -> dict:
    """`tender`: lots and items with the reported demand (from bidding on: it is final once collection closes), the
    ceiling per unit, the periods; the tenderers from the opening on."""
    tender = data.tender
    planning = tender.status == S.DEMAND_COLLECTION
    lots, items, total = [], [], Decimal(0)
    for lot in data.lots:
        entry = {"id": lot.number, "title": lot_title(lot), "status": _lot_status(data, lot)}
        item = lot_item(lot)
        item["unit"]["value"] = money(lot.max_price)
        if not planning:
            quantity = data.demand.get(lot.pk, 0)
            value = quantize_amount(lot.max_price * quantity)
            entry["value"] = money(value)
            item["quantity"] = quantity
            total += value
        lots.append(entry)
        items.append(item)
    block = {
        "id": tender.code,
        "title": tender.name,
        "status": TENDER_STATUS[tender.status],
        "procuringEntity": parties.add(data.centre, "procuringEntity"),
        "procurementMethod": "open",
        "procurementMethodDetails": f"{tender.get_level_display()}{PROCUREMENT_METHOD_DETAILS}",
        "mainProcurementCategory": "goods",
        "tenderPeriod": {"startDate": iso(_bidding_start(data)), "endDate": iso(tender.bid_deadline)},
        "contractPeriod": {"startDate": iso_day(tender.cycle_start), "endDate": iso_day(tender.cycle_end, end=True)},
        "lots": lots,
        "items": items,
    }
    if not planning:
        block["value"] = money(total)
    if tender.bids_open:
        tenderers = {b.manufacturer_id: b.manufacturer for b in data.bids}
        block["numberOfTenderers"] = len(tenderers)
        block["tenderers"] = [parties.add(org, "tenderer") for _, org in sorted(tenderers.items())]
        block["awardPeriod"] = {"startDate": iso(tender.opened_at or tender.opening_at)}
        if tender.awarded_at:
            block["awardPeriod"]["endDate"] = iso(tender.awarded_at)
    return {"tender": block}


def bid_id(code: str, bid) -> str:
    return f"{code}-B{bid.pk}"


def bids_section(data: TenderData, parties) -> dict:
    """`bids` (bids extension), from the opening on: each bid with its tenderer, status and total value (bid price ×
    the lot's reported demand), and per lot the numbers of bids and valid bids."""
    if not data.tender.bids_open:
        return {}
    details, counts = [], {}
    for bid in data.bids:
        status = BID_STATUS.get(bid.status, "pending")
        details.append(
            {
                "id": bid_id(data.tender.code, bid),
                "date": iso(bid.submitted_at),
                "status": status,
                "tenderers": [parties.add(bid.manufacturer, "tenderer")],
                "value": money(quantize_amount(bid.price * data.demand.get(bid.lot_id, 0))),
                "relatedLots": [bid.lot.number],
            }
        )
        total, valid = counts.get(bid.lot.number, (0, 0))
        counts[bid.lot.number] = (total + 1, valid + (status == "valid"))
    statistics = []
    for number, (total, valid) in sorted(counts.items()):
        statistics.append({"id": f"{number}-bids", "measure": "bids", "value": total, "relatedLot": number})
        statistics.append({"id": f"{number}-validBids", "measure": "validBids", "value": valid, "relatedLot": number})
    return {"bids": {"statistics": statistics, "details": details}}


def award_id(code: str, award) -> str:
    return f"{code}-{award.lot.number}-{award.rank}"


def product_item(lot, product) -> dict:
    return {
        "id": lot.number,
        "description": str(product),
        "classification": {"scheme": "CN-NHSA", "id": product.nhsa_code, "description": str(product)},
        "unit": {"name": product.min_unit},
        "relatedLot": lot.number,
    }


def awards_section(data: TenderData, parties) -> dict:
    """`awards`: each selected bid (中选) with the agreed volume and amount summed over the hospitals."""
    if not data.awards_published:
        return {}
    awards = []
    for award in data.awards:
        volume, amount = data.agreed.get(award.pk, (0, Decimal("0.00")))
        item = product_item(award.lot, award.product)
        item["quantity"] = volume
        item["unit"]["value"] = money(award.awarded_price)
        awards.append(
            {
                "id": award_id(data.tender.code, award),
                "title": f"{award.lot.generic_name} 第{award.rank}顺位中选",
                "status": AWARD_STATUS[data.tender.status],
                **awarded_on(data),
                "value": money(amount),
                "suppliers": [parties.add(award.manufacturer, "supplier")],
                "items": [item],
                "contractPeriod": {
                    "startDate": iso_day(data.tender.cycle_start),
                    "endDate": iso_day(data.tender.cycle_end, end=True),
                },
                "relatedLots": [award.lot.number],
                "relatedBid": bid_id(data.tender.code, award.bid),
            }
        )
    return {"awards": awards}


SECTIONS = (tender_section, bids_section, awards_section)
