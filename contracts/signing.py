"""Signature verifiers, registered by algorithm name: the platform verifies what browsers sign, and never signs.

A verifier turns a registered public key (SPKI, DER) into a key object, describes it as a JWK, and verifies a
signature over a message. `ECDSA-P256-SHA256` and `Ed25519` are what WebCrypto offers in every current browser.

Adding another scheme is one class and one `register()` call, in this module or in an app's `ready()`:

- SM2 (GB/T 32918, with SM3): a verifier named `SM2-SM3` whose `load` accepts an SPKI with the SM2 curve OID
  (1.2.156.10197.1.301) and whose `verify` checks the signature with an SM2 implementation (e.g. the `gmssl`
  package), the user id defaulting to `1234567812345678` as GB/T 35276 says; the browser side needs an SM2 library
  or a USB key's middleware in place of WebCrypto.
- A licensed CA's certificates (电子认证服务机构): a verifier named e.g. `X509-SM2` or `X509-ECDSA` whose registered
  "public key" is the user's certificate; `load` checks the chain up to a configured CA bundle, validity and
  revocation (CRL/OCSP) and that the subject's USCC is the organisation's; `verify` uses the certificate's key.
  Nothing else changes: confirmations keep the message, the signature and the key they were made with.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


class KeyRejected(ValueError):
    """The bytes are not a public key of the verifier's algorithm."""


class Verifier(Protocol):
    algorithm: str
    label: str

    def load(self, spki: bytes): ...

    def jwk(self, key) -> dict: ...

    def verify(self, key, signature: bytes, message: bytes) -> bool: ...


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _load_spki(spki: bytes):
    try:
        return serialization.load_der_public_key(spki)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyRejected(str(exc)) from exc


@dataclass(frozen=True)
class EcdsaP256:
    """ECDSA on P-256 with SHA-256. WebCrypto gives the signature as r‖s (IEEE P1363, 64 bytes); DER is accepted too."""

    algorithm: str = "ECDSA-P256-SHA256"
    label: str = "ECDSA P-256 / SHA-256"

    def load(self, spki: bytes):
        key = _load_spki(spki)
        if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
            raise KeyRejected("not a P-256 public key")
        return key

    def jwk(self, key) -> dict:
        numbers = key.public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": b64u(numbers.x.to_bytes(32, "big")),
            "y": b64u(numbers.y.to_bytes(32, "big")),
        }

    def verify(self, key, signature: bytes, message: bytes) -> bool:
        if len(signature) == 64:
            signature = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
        try:
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Ed25519:
    algorithm: str = "Ed25519"
    label: str = "Ed25519"

    def load(self, spki: bytes):
        key = _load_spki(spki)
        if not isinstance(key, ed25519.Ed25519PublicKey):
            raise KeyRejected("not an Ed25519 public key")
        return key

    def jwk(self, key) -> dict:
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw)}

    def verify(self, key, signature: bytes, message: bytes) -> bool:
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


VERIFIERS: dict[str, Verifier] = {}


def register(verifier: Verifier) -> Verifier:
    VERIFIERS[verifier.algorithm] = verifier
    return verifier


def verifier_for(algorithm: str) -> Verifier | None:
    return VERIFIERS.get(algorithm)


def b64decode(text: str, *, max_bytes: int) -> bytes:
    """Standard Base64 (with padding) to bytes; b'' for anything else or anything longer than max_bytes."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:  # binascii.Error is one
        return b""
    return raw if len(raw) <= max_bytes else b""


def fingerprint(spki: bytes) -> str:
    """SHA-256 of the key's SPKI (DER), lower-case hex: how a key is named everywhere."""
    return hashlib.sha256(spki).hexdigest()


def verify(*, algorithm: str, public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    """Whether the signature (Base64) verifies over the message with the registered key; False for anything broken."""
    verifier = verifier_for(algorithm)
    if verifier is None:
        return False
    try:
        key = verifier.load(base64.b64decode(public_key_b64, validate=True))
        signature = base64.b64decode(signature_b64, validate=True)
    except (KeyRejected, ValueError):
        return False
    return verifier.verify(key, signature, message)


register(EcdsaP256())
register(Ed25519())
