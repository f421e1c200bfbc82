"""The tags of a new release: which sections changed since the process's previous release (OCDS releaseTag).

- `tender`: `planning` during demand collection (报量), `tender` from bidding on, `tenderCancellation` when the
  tender is cancelled; `planningUpdate` / `tenderUpdate` when it changes again in the same stage. A change of the
  bids only is a `tenderUpdate`.
- `awards`: `award`, then `awardUpdate`; `contracts`: `contract`, then `contractUpdate`; their payments
  (`implementation`): `implementation`, then `implementationUpdate`.
"""

from __future__ import annotations

DEMAND = "demand_collection"
CANCELLED = "cancelled"


def _without_implementation(contracts: list) -> list:
    return [{k: v for k, v in c.items() if k != "implementation"} for c in contracts or []]


def _implementation(contracts: list) -> list:
    return [c.get("implementation") for c in contracts or []]


def _tender_tag(previous: dict | None, previous_stage: str | None, stage: str) -> str:
    if stage == CANCELLED:
        return "tenderCancellation"
    if stage == DEMAND:
        return "planning" if previous is None else "planningUpdate"
    return "tender" if previous is None or previous_stage == DEMAND else "tenderUpdate"


def _section_tag(before, after, first: str, update: str) -> list[str]:
    if not after or before == after:
        return []
    return [update if before else first]


def release_tags(previous: dict | None, previous_stage: str | None, content: dict, stage: str) -> list[str]:
    before = previous or {}
    tags = []
    if content.get("tender") != before.get("tender"):
        tags.append(_tender_tag(previous, previous_stage, stage))
    elif content.get("bids") != before.get("bids"):
        tags.append("tenderUpdate")
    tags += _section_tag(before.get("awards"), content.get("awards"), "award", "awardUpdate")
    contracts_before, contracts = before.get("contracts"), content.get("contracts")
    tags += _section_tag(
        _without_implementation(contracts_before), _without_implementation(contracts), "contract", "contractUpdate"
    )
    if any(_implementation(contracts)):
        tags += _section_tag(
            [i for i in _implementation(contracts_before) if i],
            [i for i in _implementation(contracts) if i],
            "implementation",
            "implementationUpdate",
        )
    return tags or [_fallback(content)]


def _fallback(content: dict) -> str:
    """Only the parties (or another section) changed: an update of the furthest stage the process has reached."""
    if content.get("contracts"):
        return "contractUpdate"
    if content.get("awards"):
        return "awardUpdate"
    return "tenderUpdate"
