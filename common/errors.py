"""Base of every domain error and of every app's error codes.

A domain error carries a message for people (Chinese by default, translated), a **code** for programs, the field it
concerns when there is one, and the HTTP status the API answers with. Services raise them; views show the message;
the API answers `{"code": …, "detail": …, "field": …}` (common.api.exception_handler, docs/api-errors.md).

Codes are members of an app's enum (`<app>/errors.py`, a subclass of `ErrorCode`): stable identifiers that clients
(hospital HIS, company ERP) and tests rely on, where the wording may change. A code names what went wrong
(`quantity_not_positive`, `statement_paid`), not the HTTP status.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Base of the apps' error-code enums. A member's value is the code the API sends."""


class CommonError(ErrorCode):
    """Codes every app may use: the fallbacks of the error classes and the API's own refusals."""

    INVALID = "invalid"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    STALE_VERSION = "stale_version"
    OUT_OF_RANGE = "out_of_range"
    BODY_TOO_LARGE = "body_too_large"
    THROTTLED = "throttled"
    BAD_FILE = "bad_file"
    FILE_TOO_LARGE = "file_too_large"
    INVALID_CHARACTER = "invalid_character"
    REQUIRED = "required"


class DomainError(Exception):
    status_code = 400
    default_code: ErrorCode = CommonError.INVALID

    def __init__(self, message: str, *, field: str | None = None, code: ErrorCode | str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code

    def as_dict(self) -> dict:
        return {"code": str(self.code), "detail": str(self.message), "field": self.field}


class ValidationFailed(DomainError):
    """Bad input: names the field (or file row) and changes nothing."""


class PermissionDeniedError(DomainError):
    status_code = 403
    default_code = CommonError.PERMISSION_DENIED


class NotFoundError(DomainError):
    status_code = 404
    default_code = CommonError.NOT_FOUND


class ConflictError(DomainError):
    """Someone else changed the object first, or the object is in the wrong state for this step."""

    status_code = 409
    default_code = CommonError.CONFLICT
