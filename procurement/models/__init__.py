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
from .progress import CommitmentAlertState, CommitmentProgress, ManufacturerProgress, ProgressRun, ProgressStatus
from .tenders import Award, Bid, Commitment, DemandReport, Lot, Tender, TenderEvaluation

__all__ = [
    "Award", "Bid", "Commitment", "CommitmentAlertState", "CommitmentProgress", "Delivery", "DeliveryLine", "DemandReport", "DistributionAuthorization",
    "GoodsReturn", "GoodsReturnLine", "Listing", "ListingApplication", "Lot", "ManufacturerProgress", "OffPlatformImport",
    "OffPlatformPurchase", "OrderEvent", "ProgressRun", "ProgressStatus", "PurchaseOrder", "PurchaseOrderLine", "Receipt", "ReceiptLine",
    "SupplyClass", "Tender", "TenderEvaluation",
]
