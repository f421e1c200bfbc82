from common.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError, ValidationFailed


class AccountsError(DomainError):
    pass


__all__ = ["AccountsError", "ConflictError", "NotFoundError", "PermissionDeniedError", "ValidationFailed"]
