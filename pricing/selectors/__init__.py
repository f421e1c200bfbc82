"""Reads of price monitoring and credit, scoped to the user; shared by the pages, the API and the exports. One module
per area: the alerts inbox (`alerts`), credit (`credit`), prices over time (`prices`) and an alert's case (`cases`)."""

from .alerts import (
    ALERT_FILTERS,
    GROUPINGS,
    PAGING,
    SORTS,
    STATUS_GROUPS,
    alert_groups,
    alerts_filter,
    alerts_visible_to,
    inquiries_visible_to,
    refuse_unknown_parameters,
    shortage_alerts_visible_to,
    unknown_filter,
)
from .cases import (
    SIGNAL_EXPLANATIONS,
    VOLUME_KINDS,
    case_events,
    case_months,
    inquiry_letter,
)
from .credit import (
    credit_records_visible_to,
    credit_status,
    credit_warnings,
    product_credit_warnings,
)
from .prices import (
    listing_price_basis,
    price_chart,
    price_history,
)

__all__ = [
    "SORTS",
    "STATUS_GROUPS",
    "GROUPINGS",
    "ALERT_FILTERS",
    "alerts_visible_to",
    "unknown_filter",
    "PAGING",
    "refuse_unknown_parameters",
    "alerts_filter",
    "alert_groups",
    "inquiries_visible_to",
    "shortage_alerts_visible_to",
    "credit_records_visible_to",
    "credit_status",
    "credit_warnings",
    "product_credit_warnings",
    "price_history",
    "price_chart",
    "listing_price_basis",
    "SIGNAL_EXPLANATIONS",
    "case_months",
    "case_events",
    "VOLUME_KINDS",
    "inquiry_letter",
]
