"""Errors of purchase contracts (购销合同), their amendments, confirmations and signing keys."""

from common.errors import ConflictError, DomainError, ErrorCode, NotFoundError, ValidationFailed

__all__ = ["ConflictError", "ContractError", "DomainError", "NotFoundError", "ValidationFailed"]


class ContractError(ErrorCode):
    """Codes of the contract workflow and of the signatures on it."""

    # the contract's state
    CONTRACT_NOT_READY = "contract_not_ready"  # no distributor chosen yet: nothing to sign (409)
    ALREADY_CONFIRMED = "already_confirmed"  # this party has confirmed this version already (409)
    CONTRACT_NOT_PENDING = "contract_not_pending"  # in force or superseded: confirmations are closed (409)
    CONTRACT_IMMUTABLE = "contract_immutable"  # a contract is never edited: amend it with a supplementary agreement
    CONTRACT_NOT_IN_FORCE = "contract_not_in_force"  # only a contract in force may be amended (409)
    AMENDMENT_PENDING = "amendment_pending"  # a supplementary agreement of this contract awaits confirmation (409)
    CONTENT_TAMPERED = "content_tampered"  # the stored content no longer matches its digest (409)
    NOT_A_PARTY = "not_a_party"  # the user's organisation is not the party the step needs (403)
    # the distributor and the annual contract
    DISTRIBUTOR_NOT_AUTHORISED = "distributor_not_authorised"
    DISTRIBUTOR_ALREADY_CHOSEN = "distributor_already_chosen"
    LISTING_UNKNOWN = "listing_unknown"
    YEAR_OUT_OF_RANGE = "year_out_of_range"
    ANNUAL_CONTRACT_EXISTS = "annual_contract_exists"
    # amendments
    REASON_REQUIRED = "reason_required"
    NOTHING_CHANGED = "nothing_changed"
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    PRICE_NOT_POSITIVE = "price_not_positive"
    # signatures and keys
    KEY_UNKNOWN = "key_unknown"  # no key with this fingerprint is registered to the user (400)
    KEY_REVOKED = "key_revoked"  # the key was revoked (400)
    KEY_INVALID = "key_invalid"  # not a public key of the algorithm named (400)
    KEY_EXISTS = "key_exists"  # this public key is registered already (409)
    ALGORITHM_UNKNOWN = "algorithm_unknown"  # no verifier is registered under this name (400)
    SIGNATURE_INVALID = "signature_invalid"  # the signature does not verify against the key and message (400)
    SIGNED_AT_INVALID = "signed_at_invalid"  # the signing time is not an ISO 8601 time with its offset (400)
    SIGNED_AT_OUT_OF_RANGE = "signed_at_out_of_range"  # the signing time is too far from the server's clock (400)
