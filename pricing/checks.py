"""System checks of the price monitoring settings (`manage.py check`, and every start): a threshold the detectors
cannot use is reported at start, not at 02:00 when the nightly scan stops on it.

- `pricing.E001` — `PRICE_DETECTORS`: a detector or parameter that does not exist, a parameter of the wrong type, or
  a value no detector can work with (a ratio threshold at or below 1, a negative amount, fewer than one month of
  history, …);
- `pricing.E002` — `PRICE_INFORMATIONAL_SIGNALS`: a signal kind that does not exist;
- `pricing.E003` — `PRICE_SCAN_OVERLAP_MINUTES` / `PRICE_SCAN_STALE_MINUTES`: not a whole number in range;
- `pricing.E004` — `PRICE_REVIEW_REGIONAL_AGENCIES`: not a list of 18-character unified social credit codes.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.core.checks import Error

from .detectors import DEFAULT_DETECTORS, SIGNAL_LABELS

# Parameters whose value is a ratio threshold (observed ÷ expected): they must be above 1.
RATIOS = {"ratio", "factor"}
# Parameters that count hospitals or months: whole numbers, at least 1.
COUNTS = {
    "min_peers",
    "min_group",
    "baseline_months",
    "lookback_months",
    "min_history",
    "min_market",
    "window_months",
    "pool_min_hospitals",
}
# Parameters that must be above 0 (a threshold of 0 flags everything).
POSITIVE = {"z", "rise", "province_rise", "min_deviation", "min_scale"}


def _detector_defaults() -> dict[str, dict]:
    out = {}
    for cls, base in DEFAULT_DETECTORS:
        out[base.get("name", cls.name)] = cls.defaults
    return out


def _value_error(name: str, default, value) -> str | None:
    """Why a detector parameter's value cannot be used, or None."""
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "must be true or false"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "must be a number"
    if name in COUNTS:
        return None if float(value).is_integer() and value >= 1 else "must be a whole number, at least 1"
    if name in RATIOS:
        return None if value > 1 else "must be above 1 (a ratio threshold)"
    if name in POSITIVE:
        return None if value > 0 else "must be above 0"
    return None if value >= 0 else "must not be negative"


def _unknown(what: str, name, choices) -> Error:
    return Error(
        f"PRICE_DETECTORS{what}: unknown {name!r}", hint=f"known: {', '.join(sorted(choices))}", id="pricing.E001"
    )


def _parameter_errors(name: str, params, defaults: dict) -> list[Error]:
    if not isinstance(params, dict):
        return [Error(f"PRICE_DETECTORS[{name!r}] = {params!r}: must be a mapping", id="pricing.E001")]
    errors = []
    for param, value in params.items():
        if param not in defaults:
            errors.append(_unknown(f"[{name!r}] parameter", param, defaults))
            continue
        problem = _value_error(param, defaults[param], value)
        if problem:
            errors.append(Error(f"PRICE_DETECTORS[{name!r}][{param!r}] = {value!r}: {problem}", id="pricing.E001"))
    return errors


def _detector_errors(configured) -> list[Error]:
    if not isinstance(configured, dict):
        return [Error(f"PRICE_DETECTORS = {configured!r}: must be a mapping of detector names", id="pricing.E001")]
    known = _detector_defaults()
    errors = []
    for name, params in configured.items():
        if name in known:
            errors += _parameter_errors(name, params, {**known[name], "enabled": True})
        else:
            errors.append(_unknown(" detector", name, known))
    return errors


def _kind_errors(kinds) -> list[Error]:
    if isinstance(kinds, str) or not all(isinstance(kind, str) for kind in kinds):
        return [Error(f"PRICE_INFORMATIONAL_SIGNALS = {kinds!r}: must be a list of signal kinds", id="pricing.E002")]
    unknown = sorted(set(kinds) - set(SIGNAL_LABELS))
    if unknown:
        return [
            Error(
                f"PRICE_INFORMATIONAL_SIGNALS: unknown signal kinds {unknown}",
                hint=f"signal kinds: {', '.join(SIGNAL_LABELS)}",
                id="pricing.E002",
            )
        ]
    return []


def _minute_errors(values: dict[str, tuple]) -> list[Error]:
    errors = []
    for name, (value, low, high) in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors.append(Error(f"{name} = {value!r}: must be a whole number from {low} to {high}", id="pricing.E003"))
    return errors


def _agency_errors(agencies) -> list[Error]:
    if isinstance(agencies, str) or not all(isinstance(a, str) and len(a) == 18 for a in agencies):
        return [
            Error(
                f"PRICE_REVIEW_REGIONAL_AGENCIES = {agencies!r}: must be a list of 18-character unified social "
                "credit codes",
                id="pricing.E004",
            )
        ]
    return []


def pricing_rules_check(app_configs, **kwargs) -> list[Error]:
    try:
        detectors = settings.PRICE_DETECTORS
        informational = settings.PRICE_INFORMATIONAL_SIGNALS
        agencies = settings.PRICE_REVIEW_REGIONAL_AGENCIES
        minutes = {
            "PRICE_SCAN_OVERLAP_MINUTES": (settings.PRICE_SCAN_OVERLAP_MINUTES, 0, 24 * 60),
            "PRICE_SCAN_STALE_MINUTES": (settings.PRICE_SCAN_STALE_MINUTES, 1, 7 * 24 * 60),
        }
    except AttributeError as missing:
        return [Error(f"price monitoring setting missing: {missing}", id="pricing.E001")]
    errors = _detector_errors(detectors) + _kind_errors(informational) + _minute_errors(minutes)
    return errors + _agency_errors(agencies)
