"""Price monitoring: observations, reference prices, detector scans, alert cases with their signals and review,
credit records and shortage alerts. One module per area: what is observed and scanned (`observations`), an alert's
case and its review (`cases`), credit (`credit`); a case's credit records name it, so `credit` imports `cases`."""

from .cases import Inquiry, Interview, PriceAlert, Signal
from .credit import CreditRating, CreditRecord
from .observations import MonthlyPrice, PriceObservation, PriceScan, ReferencePrice, ShortageAlert

__all__ = [
    "PriceObservation",
    "MonthlyPrice",
    "ReferencePrice",
    "PriceScan",
    "ShortageAlert",
    "PriceAlert",
    "Signal",
    "Inquiry",
    "Interview",
    "CreditRecord",
    "CreditRating",
]
