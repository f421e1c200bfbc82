"""Base of every domain error and of every app's error codes.

A domain error carries a message for people (Chinese by default, translated), a **code** for programs, the field it
concerns when there is one, and the HTTP status the API answers with. Services raise them; views show the message;
the API answers `{"code": …, "detail": …, "field": …}` (common.api.exception_handler, docs/api-errors.md).

Codes are members of an app's enum (`<app>/errors.py`, a subclass of `ErrorCode`): stable identifiers that clients
(hospital HIS, company ERP) and tests rely on, where the wording may change. A code names what went wrong
(`quantity_not_positive`, `statement_paid`), not the HTTP status.
"""

from __future__ import annotations

from contextlib import contextmanager
from enum import StrEnum

from django.utils.translation import ngettext


class ErrorCode(StrEnum):
    """Base of the apps' error-code enums. A member's value is the code the API sends."""


class CommonError(ErrorCode):
    """Codes every app may use: the fallbacks of the error classes and the API's own refusals."""

    INVALID = "invalid"  # bad input without a more precise code (400)
    REQUIRED = "required"  # a value that must be given is missing or blank (400)
    PERMISSION_DENIED = "permission_denied"  # the user's roles do not allow the step (403)
    NOT_FOUND = "not_found"  # not there, or another organisation's (404)
    CONFLICT = "conflict"  # the object's state does not allow the step (409)
    STALE_VERSION = "stale_version"  # someone changed the object since it was read: If-Match is old (409)
    # numbers and text (common.numbers, common.text)
    INVALID_NUMBER = "invalid_number"  # not a plain ASCII number, or a float for money (400)
    TOO_MANY_DECIMALS = "too_many_decimals"  # more decimal places than the column holds (400)
    OUT_OF_RANGE = "out_of_range"  # a number beyond its column's or rule's range (400)
    TOO_LONG = "too_long"  # text longer than its column (400)
    INVALID_CHARACTER = "invalid_character"  # text with a control or bidirectional control character (400)
    # requests and files
    BODY_TOO_LARGE = "body_too_large"  # the request body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE (413)
    # an upload beyond IMPORT_MAX_UPLOAD_BYTES, refused before its body is read (413) or by the import (400), or a
    # workbook unpacking too large (400, 413)
    FILE_TOO_LARGE = "file_too_large"
    BAD_FILE = "bad_file"  # a file that cannot be read as what its name says (a broken .xlsx) (400)
    EMPTY_FILE = "empty_file"  # an import file with no content or no data rows (400)
    FILE_ENCODING = "file_encoding"  # a CSV file that is not UTF-8 (400)
    MISSING_COLUMNS = "missing_columns"  # an import file without its header or a required column (400)
    FILE_MISSING = "file_missing"  # a background job's uploaded file is not where it was kept (400)
    UNKNOWN_JOB_KIND = "unknown_job_kind"  # a background job kind no app declares (400)
    THROTTLED = "throttled"  # over the rate limit: wait Retry-After seconds (429)
    # monthly partitions of the flow tables (common.partitions)
    YEAR_NOT_CLOSED = "year_not_closed"  # archiving the partitions of the current year or a later one (400)


class DomainError(Exception):
    status_code = 400
    default_code: ErrorCode = CommonError.INVALID

    def __init__(self, message: str, *, field: str | None = None, code: ErrorCode | str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code
        self.others: list[DomainError] = []  # further refusals of the same input (`Refusals`), for the pages

    @property
    def all_errors(self) -> list[DomainError]:
        """This refusal and the others found with it, the first first."""
        return [self, *self.others]

    @property
    def summary(self) -> str:
        """The message, or with several refusals all of theirs: what a page says above the form."""
        if not self.others:
            return str(self.message)
        n = len(self.all_errors)
        head = ngettext("有 %(n)s 处需要修改：", "有 %(n)s 处需要修改：", n) % {"n": n}
        return head + "；".join(str(e.message) for e in self.all_errors)

    def as_dict(self) -> dict:
        return {"code": str(self.code), "detail": str(self.message), "field": self.field}


class ValidationFailed(DomainError):
    """Bad input: names the field (or file row) and changes nothing."""


class Refusals:
    """Gathers the refusals of a form's independent checks, so that a form reports all its errors at once:

        found = Refusals()
        with found.check():
            ...                     # raises ValidationFailed(…, field="evidence")
        with found.check():
            ...                     # raises ValidationFailed(…, field="start")
        found.raise_any()           # the first, carrying the others (`.others`)

    The API answers with the first (its body names one field); the pages put each message on its field. Only bad input
    (`ValidationFailed`) is gathered: a refusal of another kind is raised at once.
    """

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    @contextmanager
    def check(self):
        try:
            yield
        except ValidationFailed as exc:
            # a refusal that carries others (a check that gathered its own) adds each of them
            gathered = exc.all_errors
            exc.others = []
            self.errors.extend(gathered)

    def failed(self, *fields: str) -> bool:
        """Whether a check on one of the fields failed (a later check that depends on it is then skipped)."""
        return any(e.field in fields for e in self.errors)

    def raise_any(self) -> None:
        if self.errors:
            first = self.errors[0]
            first.others = self.errors[1:]
            raise first


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
