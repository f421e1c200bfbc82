"""Sealed bids: prices are encrypted at submission and decrypted only when the tender is opened.

Envelope encryption. Each tender has its own data key (Fernet), stored encrypted with the platform's
BID_SEALING_KEY. A bid's price and a random nonce are encrypted with the tender's data key, so a database
read before the opening shows only ciphertext, and a stolen database without the platform key shows nothing.
`unseal()` refuses to run before the tender's opening time.

Tamper evidence: at submission the platform records SHA-256 over the bid's canonical fields and its nonce
(so the hash cannot be brute-forced from guessed prices) and shows the hash to the bidder; at opening the
hashes are published with the decrypted bids, and anyone can recompute them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from decimal import Decimal

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _


class SealError(Exception):
    pass


def _platform_fernet() -> MultiFernet:
    keys = [k.strip() for k in str(getattr(settings, "BID_SEALING_KEY", "") or "").split(",") if k.strip()]
    if not keys:
        raise ImproperlyConfigured("BID_SEALING_KEY is not set")
    # Several keys allow rotation: the first encrypts, all decrypt.
    return MultiFernet([Fernet(k.encode()) for k in keys])


def new_tender_key() -> str:
    return _platform_fernet().encrypt(Fernet.generate_key()).decode()


def _tender_fernet(tender) -> Fernet:
    if not tender.sealing_key:
        raise SealError(_("该批次没有封存密钥"))
    try:
        return Fernet(_platform_fernet().decrypt(tender.sealing_key.encode()))
    except InvalidToken as exc:
        raise SealError(_("封存密钥无法解密（平台密钥不匹配）")) from exc


def seal_price(tender, price: Decimal) -> tuple[str, str]:
    """Encrypt a price; returns (token, nonce). The nonce also goes into the bid's hash."""
    nonce = secrets.token_hex(16)
    payload = json.dumps({"price": str(price), "nonce": nonce}).encode()
    return _tender_fernet(tender).encrypt(payload).decode(), nonce


def unseal_price(tender, token: str, *, now=None) -> tuple[Decimal, str]:
    """Decrypt a bid's price and nonce — only at or after the tender's opening time."""
    return tender_unsealer(tender, now=now)(token)


def tender_unsealer(tender, *, now=None):
    """A function decrypting the tender's bids (price, nonce), the tender key unwrapped once — only at or after the
    tender's opening time."""
    now = now or timezone.now()
    if now < tender.opening_at:
        raise SealError(_("开标时间未到，报价不可解密"))
    fernet = _tender_fernet(tender)

    def unseal(token: str) -> tuple[Decimal, str]:
        try:
            payload = json.loads(fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            raise SealError(_("报价密文已损坏或被篡改")) from exc
        return Decimal(payload["price"]), payload["nonce"]

    return unseal


def bid_digest(
    *,
    tender_code: str,
    lot_number: str,
    manufacturer_uscc: str,
    product_code: str,
    price: Decimal,
    supply_capacity: int,
    submitted_at_iso: str,
    nonce: str,
) -> str:
    """SHA-256 over the canonical form of a bid; published at opening so bidders can check theirs."""
    canonical = "|".join(
        [
            tender_code,
            lot_number,
            manufacturer_uscc or "",
            product_code,
            format(price, "f"),
            str(supply_capacity),
            submitted_at_iso,
            nonce,
        ]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


#: The version tag of a bid receipt (the file a bidder keeps to verify its bid after the opening).
RECEIPT_FORMAT = "yx-bid-receipt/1"
#: The receipt's fields, in the order of the digest's canonical form (then `digest`, the SHA-256 recorded at submission).
RECEIPT_FIELDS = (
    "tender",
    "lot",
    "manufacturer_uscc",
    "product_code",
    "price",
    "supply_capacity",
    "submitted_at",
    "nonce",
)


def bid_receipt(bid, *, price: Decimal, nonce: str) -> dict:
    """What the bidder keeps: every input of its bid's digest (price and nonce included) and the digest itself.

    Given once, in the answer to the submission (page or API); the platform keeps the nonce only inside the sealed
    price, so before the opening nobody can recompute a digest from guessed prices."""
    return {
        "format": RECEIPT_FORMAT,
        "bid": bid.pk,
        "tender": bid.tender.code,
        "lot": bid.lot.number,
        "manufacturer_uscc": bid.manufacturer.uscc or "",
        "product_code": bid.product.nhsa_code,
        "price": format(price, "f"),
        "supply_capacity": bid.supply_capacity,
        "submitted_at": bid.submitted_at.isoformat(),
        "nonce": nonce,
        "digest": bid.seal_hash,
    }


def receipt_digest(receipt: dict) -> str:
    """The digest recomputed from a receipt's fields (the price as text, checked by the caller: a Decimal keeps its
    spelling, so "0.45" and "0.4500" stay different, as they were at submission)."""
    return bid_digest(
        tender_code=receipt["tender"],
        lot_number=receipt["lot"],
        manufacturer_uscc=receipt["manufacturer_uscc"],
        product_code=receipt["product_code"],
        price=Decimal(str(receipt["price"])),
        supply_capacity=receipt["supply_capacity"],
        submitted_at_iso=receipt["submitted_at"],
        nonce=receipt["nonce"],
    )
