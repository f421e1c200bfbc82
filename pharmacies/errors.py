"""Errors of pharmacies: 双通道 designations and the negotiated-drug monitoring report."""

from common.errors import ErrorCode


class PharmacyError(ErrorCode):
    """Codes of 双通道 designated pharmacies and of the negotiated-drug monitoring report."""

    PHARMACY_UNKNOWN = "pharmacy_unknown"  # no such organisation, or it is not a pharmacy (定点零售药店)
    PHARMACY_INACTIVE = "pharmacy_inactive"  # the pharmacy is deactivated and cannot be designated
    REGION_UNKNOWN = "region_unknown"  # no such pooling region (盟市); a banner/county cannot designate
    REGION_MISMATCH = "region_mismatch"  # the pharmacy lies outside the pooling region that designates it
    DATES_REVERSED = "dates_reversed"  # valid_to is before valid_from
    PRODUCTS_REQUIRED = "products_required"  # neither "all negotiated drugs" nor any product was chosen
    NOT_NEGOTIATED = "not_negotiated"  # a chosen product is not a national negotiated drug (谈判药)
    OVERLAPPING = "overlapping"  # the pharmacy already holds a designation of the region for part of the period
    ALREADY_REVOKED = "already_revoked"  # the designation was revoked before
    REASON_REQUIRED = "reason_required"  # a revocation needs its reason
    INVALID_FILTER = "invalid_filter"  # a report filter (dates, region, only) that cannot be read
