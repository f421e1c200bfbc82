"""A contract world: a hospital's commitment for a selected product, an authorised distributor, a user of each party
(and of strangers), and signing helpers that do in Python what the browser does with WebCrypto."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from accounts.models import Organization, User
from contracts import content
from contracts.demo import p1363_signature
from contracts.models import PurchaseContract, SigningKey
from contracts.services import generation, keys
from procurement.models import Commitment
from tests.factories import (
    AgencyFactory,
    DistributionAuthorizationFactory,
    DistributorFactory,
    HospitalFactory,
    ManufacturerFactory,
    ProductFactory,
    UserFactory,
)
from tests.procurement.ordering import make_commitment


@dataclass
class Signer:
    user: User
    private_key: ec.EllipticCurvePrivateKey
    key: SigningKey

    def sign(self, contract: PurchaseContract, *, party: str | None = None, signed_at: str | None = None) -> dict:
        """What the browser posts: the key's fingerprint, the signing time and the P1363 (r‖s) signature."""
        signed_at = signed_at or datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        party = party or contract.party_of(self.user.organization_id)
        message = content.confirmation_message(
            contract=contract, party=party, uscc=self.user.organization.uscc, signed_at=signed_at
        )
        signature = p1363_signature(self.private_key, message)
        return {"key": self.key.fingerprint, "signed_at": signed_at, "signature": signature}


def spki_b64(private_key) -> str:
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def signer_for(user: User) -> Signer:
    private_key = ec.generate_private_key(ec.SECP256R1())
    key = keys.signing_key_register(by=user, algorithm="ECDSA-P256-SHA256", public_key=spki_b64(private_key))
    return Signer(user=user, private_key=private_key, key=key)


@dataclass
class ContractWorld:
    hospital: Organization
    manufacturer: Organization
    distributor: Organization
    unauthorised: Organization
    commitment: Commitment
    buyer: User
    rep: User
    dist: User
    stranger: User  # another hospital's purchaser
    official: User

    def contract(self) -> PurchaseContract:
        return PurchaseContract.objects.get(commitment=self.commitment, version=1)

    def signers(self) -> dict[str, Signer]:
        return {
            "hospital": signer_for(self.buyer),
            "manufacturer": signer_for(self.rep),
            "distributor": signer_for(self.dist),
        }


def build() -> ContractWorld:
    hospital = HospitalFactory(name="合同测试医院")
    other = HospitalFactory(name="合同测试另一医院")
    manufacturer = ManufacturerFactory(name="合同测试制药有限公司")
    distributor = DistributorFactory(name="合同测试配送有限公司")
    unauthorised = DistributorFactory(name="合同测试未授权配送有限公司")
    product = ProductFactory(
        manufacturer=manufacturer, generic_name="阿托伐他汀钙片", specification="20mg", pack_size=14
    )
    DistributionAuthorizationFactory(product=product, distributor=distributor)
    commitment, _listing = make_commitment(hospital=hospital, selected_product=product, agreed_volume=12000)
    return ContractWorld(
        hospital=hospital,
        manufacturer=manufacturer,
        distributor=distributor,
        unauthorised=unauthorised,
        commitment=commitment,
        buyer=UserFactory(username="c_buyer", organization=hospital, roles=["purchaser"]),
        rep=UserFactory(username="c_rep", organization=manufacturer, roles=["manufacturer_rep"]),
        dist=UserFactory(username="c_dist", organization=distributor, roles=["distributor_rep"]),
        stranger=UserFactory(username="c_stranger", organization=other, roles=["purchaser"]),
        official=UserFactory(username="c_official", organization=AgencyFactory(), roles=["pricing_official"]),
    )


def generated(world: ContractWorld) -> PurchaseContract:
    generation.contracts_generate(tender_id=world.commitment.tender_id)
    return world.contract()
