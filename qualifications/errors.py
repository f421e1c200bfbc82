"""Errors of qualifications (资质证照): licences of organisations, registration certificates of products."""

from common.errors import ErrorCode


class QualificationError(ErrorCode):
    """Codes of keeping qualifications and of the checks other apps make against them."""

    KIND_NOT_FOR_ORGANIZATION = "qualification_kind_not_for_organization"
    PRODUCT_REQUIRED = "qualification_product_required"
    NUMBER_REQUIRED = "qualification_number_required"
    VALIDITY_REVERSED = "qualification_validity_reversed"
    DOCUMENT_TOO_LARGE = "qualification_document_too_large"
    DOCUMENT_TYPE = "qualification_document_type"
    LICENCE_MISSING = "licence_missing"
    LICENCE_EXPIRED = "licence_expired"
    REGISTRATION_MISSING = "registration_missing"
    REGISTRATION_EXPIRED = "registration_expired"
