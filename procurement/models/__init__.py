from .applications import ListingApplication, ListingApplicationDocument
from .consumables import BidComponent, ConsumableBid, ConsumableDemand, ConsumableLot, ConsumableTender
from .deliveries import Delivery, DeliveryLine, GoodsReturn, GoodsReturnLine, Receipt, ReceiptLine
from .listings import Listing
from .offplatform import OffPlatformImport, OffPlatformPurchase
from .orders import (
    DistributionAuthorization,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplyClass,
)
from .progress import CommitmentAlertState, CommitmentProgress, ManufacturerProgress, ProgressRun, ProgressStatus
from .tenders import Award, Bid, Commitment, DemandReport, Lot, Tender, TenderEvaluation

__all__ = [
    "Award",
    "Bid",
    "BidComponent",
    "Commitment",
    "ConsumableBid",
    "ConsumableDemand",
    "ConsumableLot",
    "ConsumableTender",
    "CommitmentAlertState",
    "CommitmentProgress",
    "Delivery",
    "DeliveryLine",
    "DemandReport",
    "DistributionAuthorization",
    "GoodsReturn",
    "GoodsReturnLine",
    "Listing",
    "ListingApplication",
    "ListingApplicationDocument",
    "Lot",
    "ManufacturerProgress",
    "OffPlatformImport",
    "OffPlatformPurchase",
    "OrderEvent",
    "ProgressRun",
    "ProgressStatus",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Receipt",
    "ReceiptLine",
    "SupplyClass",
    "Tender",
    "TenderEvaluation",
]
