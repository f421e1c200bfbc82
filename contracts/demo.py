"""Demo purchase contracts: every demo commitment gets its contract, and a few are taken through the workflow to show
each state — awaiting the distributor's choice, awaiting each party, in force, amended (superseded + new version in
force) and an amendment awaiting confirmation — the chemical-drug maker `mfr2`'s commitments first.

Signing keys: in real use a key pair is generated in the user's browser and its private key never leaves it. The
demo cannot click through browsers, so it derives a P-256 key pair per demo user on the server (from the username:
the same key on every run) and registers only the public key, labelled as a demo key; the signatures it makes are
real ECDSA signatures that the contract pages verify. docs/contracts.md says so.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from accounts.models import User
from common.demo import DemoContext

from . import content, selectors
from .models import ContractConfirmation, PurchaseContract, SigningKey
from .services import amendments, confirmations, generation, keys, parties

DEMO_KEY_LABEL = "演示密钥（服务器派生，仅用于演示数据）"
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
# states to show, in order: which parties confirm (after the distributor is chosen), then what follows
PLAN = [
    ("pending", []),
    ("pending", ["hospital"]),
    ("pending", ["hospital", "manufacturer"]),
    ("pending", ["manufacturer", "distributor"]),
    ("in_force", ["hospital", "manufacturer", "distributor"]),
    ("amended", ["hospital", "manufacturer", "distributor"]),
    ("amendment_pending", ["hospital", "manufacturer", "distributor"]),
]


def demo_private_key(username: str) -> ec.EllipticCurvePrivateKey:
    secret = int.from_bytes(hashlib.sha256(f"yx-demo-signing-key:{username}".encode()).digest(), "big")
    return ec.derive_private_key(secret % (P256_ORDER - 1) + 1, ec.SECP256R1())


def p1363_signature(private_key: ec.EllipticCurvePrivateKey, message: bytes) -> str:
    """What WebCrypto's ECDSA sign returns (r‖s, 32 bytes each), Base64."""
    r, s = decode_dss_signature(private_key.sign(message, ec.ECDSA(hashes.SHA256())))
    return base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode("ascii")


def _key_for(user: User) -> tuple[ec.EllipticCurvePrivateKey, SigningKey]:
    private_key = demo_private_key(user.username)
    spki = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = SigningKey.objects.filter(fingerprint=hashlib.sha256(spki).hexdigest()).first()
    if key is None:
        key = keys.signing_key_register(
            by=user, algorithm="ECDSA-P256-SHA256", public_key=base64.b64encode(spki).decode(), label=DEMO_KEY_LABEL
        )
    return private_key, key


def _sign(contract: PurchaseContract, user: User) -> None:
    private_key, key = _key_for(user)
    signed_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    party = contract.party_of(user.organization_id)
    message = content.confirmation_message(
        contract=contract, party=party, uscc=user.organization.uscc or "", signed_at=signed_at
    )
    confirmations.contract_confirm(
        contract=contract,
        by=user,
        key=key.fingerprint,
        signed_at=signed_at,
        signature=p1363_signature(private_key, message),
    )


def _user_of(org_id: int, role: str, preferred: str) -> User | None:
    users = User.objects.filter(organization_id=org_id, roles__code=role, is_active=True).order_by("pk")
    return users.filter(username=preferred).first() or users.first()


def _candidates() -> list[tuple[PurchaseContract, dict[str, User]]]:
    """Draft contracts whose three parties have demo users, mfr2's and the demo hospital's first."""
    mfr2 = User.objects.filter(username="mfr2").values_list("organization_id", flat=True).first()
    buyer = User.objects.filter(username="buyer").values_list("organization_id", flat=True).first()
    dist = User.objects.filter(username="dist").select_related("organization").first()
    if dist is None:
        return []
    drafts = PurchaseContract.objects.filter(status=PurchaseContract.Status.DRAFT, version=1).select_related(
        "hospital", "manufacturer", "product", "commitment"
    )
    ranked = sorted(drafts, key=lambda c: (c.manufacturer_id != mfr2, c.hospital_id != buyer, c.pk))
    result = []
    for contract in ranked:
        users = {
            "hospital": _user_of(contract.hospital_id, "purchaser", "buyer"),
            "manufacturer": _user_of(contract.manufacturer_id, "manufacturer_rep", "mfr2"),
        }
        if None in users.values() or dist.organization not in selectors.authorised_distributors(contract):
            continue
        result.append((contract, {**users, "distributor": dist}))
        if len(result) == len(PLAN):
            break
    return result


def _walk(contract: PurchaseContract, users: dict[str, User], target: str, signers: list[str]) -> None:
    contract = parties.contract_choose_distributor(
        contract=contract, by=users["hospital"], distributor_id=users["distributor"].organization_id
    )
    for party in signers:
        _sign(contract, users[party])
    if target in ("amended", "amendment_pending"):
        contract.refresh_from_db()
        new = amendments.contract_amend(
            contract=contract,
            by=users["manufacturer"],
            reason="医院申请按实际临床用量调增约定采购量（演示）",
            quantity=str(contract.quantity + contract.quantity // 10),
        )
        if target == "amended":
            for party in ("hospital", "manufacturer", "distributor"):
                _sign(new, users[party])


def seed_late(ctx: DemoContext) -> str:
    written = generation.contracts_generate()
    walked = 0
    if not ContractConfirmation.objects.exists():  # else the workflow was shown by an earlier run
        for (contract, users), (target, signers) in zip(_candidates(), PLAN, strict=False):
            _walk(contract, users, target, signers)
            walked += 1
    total = PurchaseContract.objects.count()
    return f"{total} 份购销合同（版本）；新生成 {written} 份，{walked} 份走过签署流程"
