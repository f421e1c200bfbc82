"""The price detectors, registered in one place.

To add a detector: write a `Detector` subclass (a name, a label, parameter defaults and `find(scope)` running one
set-based query) and add an instance to `DEFAULT_DETECTORS`. Parameters can be changed per deployment with the
setting `PRICE_DETECTORS = {"peer_outlier": {"z": 4.0}, "volume_spike": {"enabled": False}}`, read through
`common.rules.prices()` and checked at start (pricing.checks).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common import rules

from ..sql.detectors import Scope
from .base import Detector, Finding, severity_for
from .price import (
    AboveReference,
    NonSelectedPremium,
    PeerOutlier,
    SuddenChange,
    VolumeSpike,
    informational_kinds,
)

DEFAULT_DETECTORS: list[tuple[type[Detector], dict]] = [
    (PeerOutlier, {}),
    (PeerOutlier, {"name": "peer_outlier_group", "by_group": True}),
    (SuddenChange, {}),
    (NonSelectedPremium, {}),
    (VolumeSpike, {}),
    # last: its informational signals (above a payment standard) attach to the cases the others opened
    (AboveReference, {}),
]


def registry() -> dict[str, Detector]:
    """Every enabled detector by name, with the deployment's parameters applied."""
    overrides = rules.prices().detectors
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


# The signal kinds (what the inbox filters by and the case page names): a detector's name, except the reference
# detector's, one kind per reference.
SIGNAL_LABELS = {
    "peer_outlier": _("同品种价格离群"),
    "peer_outlier_group": _("同通用名剂型规格组价格离群"),
    "sudden_change": _("价格异常变动"),
    "volume_spike": _("采购量异常激增"),
    "non_selected_premium": _("非中选产品价格过高"),
    "above_listed": _("高于挂网价"),
    "above_national_lowest": _("高于全国最低挂网价"),
    "above_payment_standard": _("高于医保支付标准"),
}


def labels() -> dict[str, str]:
    """Signal kind → its label, in the order of the registry."""
    return {str(kind): str(label) for kind, label in SIGNAL_LABELS.items()}


__all__ = ["Detector", "Finding", "Scope", "informational_kinds", "labels", "registry", "severity_for"]
