"""REST endpoints of price monitoring and credit, mounted under /api/v1/.

Officials: alerts (filters, review actions with the version they decided on — a stale version answers 409),
observations and reference prices (lists and imports), scans, credit records and ratings, shortage alerts.
Manufacturers, distributors and hospitals: the inquiries addressed to them (and their replies), their own credit.

One module per area: `alerts` (cases and their review), `inquiries`, `observations` (observations, reference prices,
scans), `credit`, `shortage`; `routes` lists them for /api/v1/.
"""

from __future__ import annotations

from .alerts import PriceAlertViewSet
from .credit import CreditRatingViewSet, CreditRecordViewSet
from .inquiries import InquiryViewSet
from .observations import ObservationViewSet, ReferencePriceViewSet, ScanViewSet
from .shortage import ShortageViewSet

routes = [
    ("price-alerts", PriceAlertViewSet, "price-alert"),
    ("price-inquiries", InquiryViewSet, "price-inquiry"),
    ("price-observations", ObservationViewSet, "price-observation"),
    ("reference-prices", ReferencePriceViewSet, "reference-price"),
    ("price-scans", ScanViewSet, "price-scan"),
    ("credit-records", CreditRecordViewSet, "credit-record"),
    ("credit-ratings", CreditRatingViewSet, "credit-rating"),
    ("shortage-alerts", ShortageViewSet, "shortage-alert"),
]
urlpatterns: list = []
