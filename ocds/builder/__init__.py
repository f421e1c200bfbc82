"""Build a tender's releases: its framework process and one call-off per hospital with commitments.

Each process is built from a tuple of section functions `(data, [hospital,] parties) -> dict` (framework.SECTIONS,
calloffs.SECTIONS); a new source of data (e.g. purchase contracts) is one more function. What is built here is the
release's content without `id`, `date` and `tag`: `ocds.services` compares it with the last stored release of the
ocid and stores a new release only when it changed, which gives releases their stable ids and dates.
"""

from __future__ import annotations

from dataclasses import dataclass

from procurement.models import Tender
from procurement.selectors.tenders import tenders_announced

from . import calloffs, framework
from .context import Parties, call_off_ocid, framework_ocid
from .data import load, publisher


@dataclass(frozen=True)
class Built:
    ocid: str
    hospital_id: int | None
    stage: str  # the tender's status when built
    content: dict  # the release without id, date and tag


def _release(ocid: str, buyer: dict, parties: Parties, sections: dict) -> dict:
    return {
        "ocid": ocid,
        "initiationType": "tender",
        "language": "zh",
        "buyer": buyer,
        **sections,
        "parties": parties.as_list(),
    }


def build(tender: Tender, centre=None) -> list[Built]:
    """The tender's releases as they stand now: none for a tender never announced (a draft, or cancelled as a
    draft: `tenders_announced` decides), or when there is no publishing centre."""
    centre = centre or publisher()
    if centre is None or not tenders_announced().filter(pk=tender.pk).exists():
        return []
    data = load(tender, centre)
    parties = Parties()
    buyer = parties.add(centre, "buyer")
    sections: dict = {}
    for section in framework.SECTIONS:
        sections.update(section(data, parties))
    built = [
        Built(framework_ocid(tender), None, tender.status, _release(framework_ocid(tender), buyer, parties, sections))
    ]
    for hospital_id in sorted(data.commitments):
        hospital = data.hospitals[hospital_id]
        parties = Parties()
        buyer = parties.add(hospital, "buyer")
        sections = {}
        for section in calloffs.SECTIONS:
            sections.update(section(data, hospital, parties))
        ocid = call_off_ocid(tender, hospital)
        built.append(Built(ocid, hospital_id, tender.status, _release(ocid, buyer, parties, sections)))
    return built
