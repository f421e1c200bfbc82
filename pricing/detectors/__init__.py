"""The price detectors, registered in one place.

To add a detector: write a `Detector` subclass (a name, a label, parameter defaults and `find(scope)` running one
set-based query) and add an instance to `DEFAULT_DETECTORS`. Parameters can be changed per deployment with the
setting `PRICE_DETECTORS = {"peer_outlier": {"z": 4.0}, "volume_spike": {"enabled": False}}`.
"""

from __future__ import annotations

from django.conf import settings

from ..sql.detectors import Scope
from .base import Detector, Finding, severity_for
from .price import AboveReference, NonSelectedPremium, PeerOutlier, SuddenChange, VolumeSpike

DEFAULT_DETECTORS: list[tuple[type[Detector], dict]] = [
    (PeerOutlier, {}),
    (PeerOutlier, {"name": "peer_outlier_group", "by_group": True}),
    (SuddenChange, {}),
    (AboveReference, {}),
    (NonSelectedPremium, {}),
    (VolumeSpike, {}),
]


def registry() -> dict[str, Detector]:
    """Every enabled detector by name, with the deployment's parameters applied."""
    overrides = getattr(settings, "PRICE_DETECTORS", {}) or {}
    result: dict[str, Detector] = {}
    for cls, base in DEFAULT_DETECTORS:
        name = base.get("name", cls.name)
        params = {k: v for k, v in base.items() if k != "name"}
        extra = dict(overrides.get(name, {}))
        if extra.pop("enabled", True) is False:
            continue
        kwargs = {**params, **extra}
        detector = cls(name=name, **kwargs) if cls is PeerOutlier else cls(**kwargs)
        result[detector.name] = detector
    return result


def labels() -> dict[str, str]:
    return {name: d.label for name, d in registry().items()}


__all__ = ["Detector", "Finding", "Scope", "labels", "registry", "severity_for"]
