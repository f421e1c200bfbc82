"""Errors of the catalog and its imports."""

from common.errors import (
    CommonError,
    ConflictError,
    DomainError,
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)


class CatalogError(ErrorCode):
    """Codes of products, names, national codes and catalog imports."""


__all__ = [
    "CommonError",
    "ConflictError",
    "DomainError",
    "ErrorCode",
    "NotFoundError",
    "PermissionDeniedError",
    "ValidationFailed",
    "CatalogError",
]
