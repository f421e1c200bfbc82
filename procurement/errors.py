"""Errors of procurement: tenders (TenderError) and online ordering (OrderError)."""

from common.errors import (
    CommonError,
    ConflictError,
    DomainError,
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)


class TenderError(ErrorCode):
    """Codes of tenders, demand reports, bids, evaluation, awards and commitments."""


class OrderError(ErrorCode):
    """Codes of listings, distribution authorisations, orders, deliveries, receipts and returns."""


__all__ = [
    "CommonError",
    "ConflictError",
    "DomainError",
    "ErrorCode",
    "NotFoundError",
    "PermissionDeniedError",
    "ValidationFailed",
    "TenderError",
    "OrderError",
]
