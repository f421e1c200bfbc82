"""Errors of organisations, users, sign-in and tokens."""

from common.errors import (
    CommonError,
    ConflictError,
    DomainError,
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)


class AccountsError(ErrorCode):
    """Codes of organisations, users, roles, sign-in and API tokens."""


__all__ = [
    "CommonError",
    "ConflictError",
    "DomainError",
    "ErrorCode",
    "NotFoundError",
    "PermissionDeniedError",
    "ValidationFailed",
    "AccountsError",
]
