"""A contract's content, its canonical serialisation and digest, and the message each party signs.

The content is a JSON object of strings, integers, nulls and nested objects (no floats: money is a decimal string
with its places, dates are ISO 8601). Its canonical serialisation is JSON with the keys sorted, no whitespace, UTF-8,
non-ASCII characters as themselves — for such values this is the JSON Canonicalization Scheme (RFC 8785), so any
language can reproduce the bytes. The digest is the SHA-256 of those bytes, in lower-case hex.

A confirmation signs the canonical serialisation of
`{"contract", "digest", "organization", "party", "purpose", "signed_at", "version"}` (see `confirmation_message`):
the digest ties the signature to the content, the party and the organisation's USCC to who signs, and `signed_at`
(the signer's clock, ISO 8601 in UTC) to when. static/js/contract-sign.js builds the same bytes in the browser.
"""

from __future__ import annotations

import hashlib
import json

from common import rules

SCHEMA = "yx-purchase-contract/1"
PURPOSE = "yx-contract-confirmation/1"


def canonical(value: dict) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest_of(value: dict) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def _org(org) -> dict | None:
    if org is None:
        return None
    return {"name": org.name, "uscc": org.uscc or "", "address": getattr(org, "address", "") or ""}


def _product(product) -> dict:
    return {
        "nhsa_code": product.nhsa_code,
        "generic_name": product.generic_name,
        "trade_name": product.trade_name or "",
        "dosage_form": product.dosage_form,
        "specification": product.specification,
        "pack_size": product.pack_size,
        "min_unit": product.min_unit,
        "approval_number": product.approval_number or "",
    }


def _subject(contract) -> dict:
    if contract.commitment_id:
        c = contract.commitment
        return {"tender": c.tender.code, "tender_name": c.tender.name, "lot": c.lot.number, "commitment": c.pk}
    return {"listing": contract.listing_id, "year": contract.year}


def _amendment(contract) -> dict | None:
    previous = contract.previous
    if previous is None:
        return None
    amendment = getattr(contract, "amendment", None)
    return {
        "amends_version": previous.version,
        "amends_digest": previous.digest,
        "reason": amendment.reason if amendment else "",
    }


def contract_content(contract, *, amendment_reason: str | None = None) -> dict:
    """The content of a contract version, from its fields and its parties (what the template shows and the PDF
    prints). `amendment_reason` stands in for the amendment row while the new version is being created."""
    amendment = _amendment(contract)
    if amendment is not None and amendment_reason is not None:
        amendment["reason"] = amendment_reason
    return {
        "schema": SCHEMA,
        "number": contract.number,
        "version": contract.version,
        "kind": contract.kind,
        "subject": _subject(contract),
        "amendment": amendment,
        "hospital": _org(contract.hospital),
        "manufacturer": _org(contract.manufacturer),
        "distributor": _org(contract.distributor),
        "product": _product(contract.product),
        "period": {"start": contract.period_start.isoformat(), "end": contract.period_end.isoformat()},
        "quantity": contract.quantity,
        "unit_price": f"{contract.unit_price:.4f}",
        "amount": f"{contract.amount:.2f}",
        "currency": "CNY",
        "delivery_terms": {
            "distributor_response_hours": contract.response_hours,
            "delivery_hours": contract.delivery_hours,
            "invoice": "two_invoice_system",
        },
        "payment_terms": {
            "payment_term_days": contract.payment_term_days,
            "from": "acceptance_on_delivery",
            "settlement": "direct_settlement_by_insurance_fund" if contract.kind == "commitment" else "hospital",
        },
    }


def content_matches_fields(contract) -> bool:
    """The stored content agrees with the contract's columns and its digest (nothing was edited behind it)."""
    content = contract.content or {}
    return bool(
        contract.digest
        and digest_of(content) == contract.digest
        and content.get("number") == contract.number
        and content.get("version") == contract.version
        and content.get("quantity") == contract.quantity
        and content.get("unit_price") == f"{contract.unit_price:.4f}"
        and content.get("amount") == f"{contract.amount:.2f}"
        and (content.get("period") or {}).get("start") == contract.period_start.isoformat()
        and (content.get("period") or {}).get("end") == contract.period_end.isoformat()
    )


def confirmation_message(*, contract, party: str, uscc: str, signed_at: str) -> bytes:
    """The bytes a party signs to confirm this contract version."""
    return canonical(
        {
            "purpose": PURPOSE,
            "contract": contract.number,
            "version": contract.version,
            "digest": contract.digest,
            "party": party,
            "organization": uscc,
            "signed_at": signed_at,
        }
    )


def terms_from_rules() -> dict:
    """The delivery and payment terms a new contract takes from the platform's rules (docs/rules.md)."""
    orders = rules.orders()
    return {
        "response_hours": orders.response_hours,
        "delivery_hours": orders.delivery_hours,
        "payment_term_days": rules.settlement().payment_term_days,
    }


def signed_at_of(message: str) -> str:
    """The `signed_at` text inside a stored confirmation message ('' when it is not one)."""
    try:
        return str(json.loads(message).get("signed_at", ""))
    except (ValueError, AttributeError):
        return ""
