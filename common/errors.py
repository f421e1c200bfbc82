"""Base of every domain error. Each app's errors module subclasses these.

A domain error carries a message for people (Chinese by default), the field it concerns when there
is one, and the HTTP status the API answers with. Services raise them; views and the API render them.
"""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code

    def as_dict(self) -> dict:
        data = {"detail": self.message, "code": self.code}
        if self.field:
            data["field"] = self.field
        return data


class ValidationFailed(DomainError):
    """Bad input: names the field (or file row) and changes nothing."""


class PermissionDeniedError(DomainError):
    status_code = 403
    default_code = "permission_denied"


class NotFoundError(DomainError):
    status_code = 404
    default_code = "not_found"


class ConflictError(DomainError):
    """Someone else changed the object first, or the object is in the wrong state for this step."""

    status_code = 409
    default_code = "conflict"
