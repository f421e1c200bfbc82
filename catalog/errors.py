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

    UNKNOWN_FIELD = "unknown_field"  # a product field that does not exist or may not be written
    INVALID_CATEGORY = "invalid_category"  # not one of the product categories (400)
    INVALID_CODE = "invalid_code"  # the NHSA code (医保代码) does not fit the category's shape
    DUPLICATE_CODE = "duplicate_code"  # another product already has this NHSA code
    INVALID_APPROVAL_NUMBER = "invalid_approval_number"  # 批准文号 / 注册证编号 of the wrong form for the category
    INVALID_STANDARD_CODE = "invalid_standard_code"  # 药品本位码: 14 digits, 86…, a GS1 check digit
    INVALID_UDI_DI = "invalid_udi_di"  # a consumable's UDI-DI: GS1 GTIN check digit, or an issuing agency's form
    INVALID_PACK_SIZE = "invalid_pack_size"  # 最小包装数量 is a positive whole number (400)
    INVALID_INSURANCE_CLASS = "invalid_insurance_class"  # 医保类别 is 甲, 乙 or none (Mongolian medicines: 甲) (400)
    INVALID_MONGOLIAN_NAME = "invalid_mongolian_name"  # the Mongolian name is not in traditional Mongolian script (400)
    DATES_REVERSED = "dates_reversed"  # an end date (insurance, negotiation) before its start date (400)
    MANUFACTURER_NOT_FOUND = "manufacturer_not_found"  # the manufacturer id names no organisation
    NOT_A_MANUFACTURER = "not_a_manufacturer"  # the product's manufacturer is another kind of organisation
    PREPARING_HOSPITAL_NOT_FOUND = "preparing_hospital_not_found"  # the preparing hospital id names no organisation
    NOT_A_HOSPITAL = "not_a_hospital"  # a hospital preparation's preparing organisation is not a hospital
    CONSTRAINT_VIOLATED = "constraint_violated"  # the database refused the product (a constraint the checks missed)


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
