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

    # organisations
    HOSPITAL_DETAILS_REQUIRED = "hospital_details_required"  # a hospital needs its level, type and ownership
    ACTIVE_NOT_EDITABLE = "active_not_editable"  # is_active changes only through deactivate/reactivate, with a reason
    ALREADY_ACTIVE = "already_active"  # reactivating an organisation that is active
    ALREADY_INACTIVE = "already_inactive"  # deactivating an organisation that is already deactivated
    UNKNOWN_REGION = "unknown_region"  # no administrative division has this code
    INVALID_USCC = "invalid_uscc"  # not a valid unified social credit code (GB 32100-2015)
    PLATFORM_AGENCY = "platform_agency"  # the agency holding the platform administrators is never deactivated
    ORGANIZATION_INACTIVE = "organization_inactive"  # the organisation is deactivated: no sign-in, no action
    # users and roles
    ORGANIZATION_REQUIRED = "organization_required"  # a user belongs to an organisation
    OTHER_ORGANIZATION = "other_organization"  # users are created for one's own organisation only
    ROLE_REQUIRED = "role_required"  # a user holds at least one role
    UNKNOWN_ROLE = "unknown_role"  # a role code the platform does not have
    ROLE_NOT_FOR_ORGANIZATION = "role_not_for_organization"  # a role of another kind of organisation
    LAST_PLATFORM_ADMIN = "last_platform_admin"  # the last active platform administrator is never deactivated
    PASSWORD_REJECTED = "password_rejected"  # the password validators refuse the new password
    # sign-in and API tokens
    INVALID_CREDENTIALS = "invalid_credentials"  # wrong username or password
    LOCKED_OUT = "locked_out"  # too many failed sign-ins: wait Retry-After seconds (429)
    INTEGRATION_TOKEN = "integration_token"  # an integration token cannot make tokens
    TOKEN_LIFETIME = "token_lifetime"  # an integration token's days outside 1..API_TOKEN_INTEGRATION_MAX_DAYS
    DUPLICATE_TOKEN_NAME = "duplicate"  # the user already has a valid token of that name


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
