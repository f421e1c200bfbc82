from common.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError, ValidationFailed

__all__ = ["ConflictError", "DomainError", "NotFoundError", "PermissionDeniedError", "ValidationFailed"]
