"""A hospital's call-off under a tender (ocid `<framework ocid>-<hospital USCC>`): one function per section.

OCDS 1.1.5 has one `buyer` per release. Following the framework-agreement pattern, the tender is the framework
process, whose buyer is the procurement centre; each hospital's agreed volumes are a call-off, a contracting process
of its own whose buyer is the hospital, linked to the framework by `relatedProcesses` (relationship `framework`).
Its awards are the hospital's commitments (约定采购量: agreed volume and amount per lot), its contracts the purchase
contracts made under them (`contracts.contract_rows`), with the fund's payments as their transactions.
"""

from __future__ import annotations

from procurement.models import Tender

from .context import framework_ocid, iso_day, money
from .contracts import contract_release_entry, contract_status
from .data import TenderData
from .framework import AWARD_STATUS, awarded_on, lot_item, product_item

S = Tender.Status


def call_off_award_id(code: str, commitment, hospital) -> str:
    return f"{code}-{commitment.lot.number}-{hospital.uscc or f'H{hospital.pk}'}"


def call_off_tender_section(data: TenderData, hospital, parties) -> dict:
    """`tender` of the call-off: the hospital's reported volume per lot; `relatedProcesses`: the framework."""
    tender = data.tender
    items = []
    for commitment in data.commitments[hospital.pk]:
        item = lot_item(commitment.lot)
        item["quantity"] = commitment.reported_volume
        items.append(item)
    return {
        "tender": {
            "id": f"{tender.code}-{hospital.uscc or f'H{hospital.pk}'}",
            "title": f"{tender.name} · {hospital.name}",
            "status": "complete",
            "procuringEntity": parties.add(data.centre, "procuringEntity"),
            "procurementMethod": "limited",
            "procurementMethodDetails": "框架协议下按报量分配约定采购量",
            "mainProcurementCategory": "goods",
            "items": items,
        },
        "relatedProcesses": [
            {
                "id": "framework",
                "relationship": ["framework"],
                "title": tender.name,
                "scheme": "ocid",
                "identifier": framework_ocid(tender),
            }
        ],
    }


def call_off_awards_section(data: TenderData, hospital, parties) -> dict:
    """`awards`: one per commitment, valued at the agreed amount, its item's quantity the agreed volume."""
    awards = []
    for commitment in data.commitments[hospital.pk]:
        item = product_item(commitment.lot, commitment.product)
        item["quantity"] = commitment.agreed_volume
        item["unit"]["value"] = money(commitment.award.awarded_price)
        awards.append(
            {
                "id": call_off_award_id(data.tender.code, commitment, hospital),
                "title": f"{commitment.lot.generic_name} 约定采购量",
                "status": AWARD_STATUS[data.tender.status],
                **awarded_on(data),
                "value": money(commitment.agreed_amount),
                "suppliers": [parties.add(commitment.manufacturer, "supplier")],
                "items": [item],
                "contractPeriod": {
                    "startDate": iso_day(commitment.cycle_start),
                    "endDate": iso_day(commitment.cycle_end, end=True),
                },
            }
        )
    return {"awards": awards}


def _transactions(data: TenderData, hospital, commitment, parties) -> list[dict]:
    parts = data.transactions.get(commitment.pk, [])
    if not parts:
        return []
    fund, administrator = data.funds.get(hospital.pk, (None, None))
    payer = parties.add_fund(fund, administrator) if fund else None
    payee = parties.add(commitment.manufacturer, "payee")
    transactions = []
    for part in parts:
        entry = {"id": f"PAY-{part.payment_id}", "date": iso_day(part.paid_on), "value": money(part.amount)}
        if payer:
            entry["payer"] = payer
        entry["payee"] = payee
        transactions.append(entry)
    return transactions


def call_off_contracts_section(data: TenderData, hospital, parties) -> dict:
    """`contracts`: the purchase contracts of the hospital's commitments. The payments split to a commitment are the
    transactions of its latest contract that is not cancelled."""
    contracts = []
    closed = data.tender.status == S.CLOSED
    for commitment in data.commitments[hospital.pk]:
        rows = [(r, contract_status(r, tender_closed=closed)) for r in data.contracts.get(commitment.pk, [])]
        rows = [(r, status) for r, status in rows if status]
        paid_to = next((r for r, status in reversed(rows) if status != "cancelled"), None)
        for row, status in rows:
            item = product_item(commitment.lot, commitment.product)
            if row.distributor_id and row.distributor_id in data.orgs:
                parties.add(data.orgs[row.distributor_id], "interestedParty")
            contracts.append(
                contract_release_entry(
                    row,
                    award_id=call_off_award_id(data.tender.code, commitment, hospital),
                    item=item,
                    status=status,
                    transactions=_transactions(data, hospital, commitment, parties) if row is paid_to else [],
                )
            )
    return {"contracts": contracts} if contracts else {}


def call_off_payer(data: TenderData, hospital, parties) -> dict:
    """The fund that pays the hospital's purchases directly (医保基金直接结算) is a party (`payer`) of every call-off."""
    fund, administrator = data.funds.get(hospital.pk, (None, None))
    if fund is not None:
        parties.add_fund(fund, administrator)
    return {}


SECTIONS = (call_off_tender_section, call_off_awards_section, call_off_contracts_section, call_off_payer)
