from .listings import Listing
from .orders import (
    Delivery,
    DeliveryLine,
    DistributionAuthorization,
    GoodsReturn,
    GoodsReturnLine,
    ListingApplication,
    OffPlatformImport,
    OffPlatformPurchase,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    SupplyClass,
)
from .tenders import Award, Bid, Commitment, DemandReport, Lot, Tender, TenderEvaluation

__all__ = [
    "Award", "Bid", "Commitment", "Delivery", "DeliveryLine", "DemandReport", "DistributionAuthorization",
    "GoodsReturn", "GoodsReturnLine", "Listing", "ListingApplication", "Lot", "OffPlatformImport",
    "OffPlatformPurchase", "OrderEvent", "PurchaseOrder", "PurchaseOrderLine", "Receipt", "ReceiptLine",
    "SupplyClass", "Tender", "TenderEvaluation",
]
