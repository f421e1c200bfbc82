"""The price scan's steps (`pricing.services.scan`): which steps a scan in parts has recorded, how a step is recorded
in the scan's findings, and the monthly prices (`MonthlyPrice`) made current before the detectors run. Apart from the
scan's routing of findings into cases, which is what `scan.py` holds."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from ..detectors import Scope, registry
from ..detectors.price import SuddenChange
from ..models import PriceScan
from ..sql import monthly

logger = logging.getLogger("pricing.services.scan")


def keep_monthly_prices(scan: PriceScan, scope: Scope) -> Scope:
    """The monthly prices (`MonthlyPrice`) made current for the scan, and the scope that reads them: rebuilt by a full
    scan, or when the scan before this one did not leave them current with the sudden change's baseline parameters
    of today (a first scan, or changed parameters); otherwise the hospital-months the new observations touched
    recomputed (`pricing.sql.monthly`). A resumed scan does it again: each is recomputed from the observations; a scan
    in parts, once (by its first call)."""
    sudden = registry().get(SuddenChange.name)
    params = sudden.params if sudden is not None else SuddenChange.defaults
    kept = monthly.baseline_params(params)
    if scan_parts(scan) > 1 and scan.monthly_prices == kept:
        # a scan in parts run part by part (`part=`): its first call made them current, for every part alike
        return replace(scope, cells=monthly.baseline_key(params))
    started = time.monotonic()
    previous = (
        PriceScan.objects.filter(status=PriceScan.Status.SUCCEEDED)
        .exclude(pk=scan.pk)
        .order_by("-until", "-pk")
        .values_list("monthly_prices", flat=True)
        .first()
    )
    if scope.full or previous != kept:
        cells, how = monthly.rebuild(params), "rebuilt"
    else:
        cells, how = monthly.refresh(scope.subjects or (), params), "refreshed"
    scan.monthly_prices = kept
    scan.save(update_fields=["monthly_prices"])
    seconds = time.monotonic() - started
    logger.info(
        "price scan %s: monthly prices %s, %s cells in %.2f s",
        scan.pk,
        how,
        cells,
        seconds,
        extra={"scan_step": f"monthly prices ({how})", "find_seconds": seconds, "write_seconds": 0.0},
    )
    return replace(scope, cells=monthly.baseline_key(params))


def scan_parts(scan: PriceScan) -> int:
    """The number of parts a scan is cut into (recorded in its findings as `_parts`; 1 when it is not cut)."""
    return int((scan.findings or {}).get("_parts", 1))


def step_done(done: dict, name: str, index: int) -> bool:
    """Whether the scan's record holds the step detector `name` × part `index`: the detector's count once every part
    is recorded, each part's count (in `_steps`) until then."""
    return name in done or str(index) in done.get("_steps", {}).get(name, {})


def record_step(done: dict, name: str, index: int, parts: int, found: int) -> None:
    """Record a step in the scan's findings: the detector's count, the sum over its parts once all are recorded."""
    if parts == 1:
        done[name] = found
        return
    steps = {**done.get("_steps", {})}
    steps[name] = {**steps.get(name, {}), str(index): found}
    if len(steps[name]) == parts:
        done[name] = sum(steps.pop(name).values())
    if steps:
        done["_steps"] = steps
    else:
        done.pop("_steps", None)
