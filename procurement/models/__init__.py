from .listings import Listing
from .tenders import Award, Bid, Commitment, DemandReport, Lot, Tender, TenderEvaluation

__all__ = ["Award", "Bid", "Commitment", "DemandReport", "Listing", "Lot", "Tender", "TenderEvaluation"]
