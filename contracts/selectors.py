"""Reads of purchase contracts, scoped to the user: a party sees its own contracts (a distributor once it has been
chosen), officials see all; another organisation's contract is simply not found."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.permissions import can, scope_to_organization
from procurement.models import Listing
from procurement.selectors.orders import distributors_for_listings

from . import content, signing
from .models import ContractConfirmation, PurchaseContract, SigningKey

S = PurchaseContract.Status


def contracts_visible_to(user) -> QuerySet[PurchaseContract]:
    if not can(user, "contract.view"):
        return PurchaseContract.objects.none()
    qs = PurchaseContract.objects.select_related(
        "hospital",
        "manufacturer",
        "distributor",
        "product",
        "commitment__tender",
        "commitment__lot",
        "previous",
        "next_version",
    )
    return scope_to_organization(qs, user, field=("hospital", "manufacturer", "distributor"))


def awaiting_action(user) -> QuerySet[PurchaseContract]:
    """The contracts waiting for the user's organisation (a to-do list): drafts whose distributor it must choose (a
    hospital), and pending versions it has not confirmed. Empty for officials, who sign nothing."""
    org_id = getattr(user, "organization_id", None)
    if org_id is None or not can(user, "contract.sign"):
        return PurchaseContract.objects.none()
    mine = Q(hospital_id=org_id) | Q(manufacturer_id=org_id) | Q(distributor_id=org_id)
    return (
        contracts_visible_to(user)
        .filter(Q(status=S.DRAFT, hospital_id=org_id) | (Q(status=S.PENDING) & mine))
        .exclude(confirmations__organization_id=org_id)
    )


def contract_for(user, pk) -> PurchaseContract:
    """The contract if the user may see it, else 404."""
    return get_object_or_404(contracts_visible_to(user).prefetch_related("confirmations"), pk=pk)


def versions_of(contract: PurchaseContract) -> list[PurchaseContract]:
    """Every version of the contract's number, oldest first."""
    return list(PurchaseContract.objects.filter(number=contract.number).order_by("version"))


def award_listing(contract: PurchaseContract) -> Listing | None:
    if contract.listing_id:
        return contract.listing
    if contract.commitment_id:
        return Listing.objects.filter(award_id=contract.commitment.award_id).order_by("-valid_from").first()
    return None


def authorised_distributors(contract: PurchaseContract) -> list:
    """The distributors authorised today to deliver the contract's product to its hospital (the hospital picks one)."""
    listing = award_listing(contract)
    if listing is None:
        return []
    return distributors_for_listings(hospital=contract.hospital, listings=[listing]).get(listing.pk, [])


@dataclass(frozen=True)
class Verification:
    confirmation: ContractConfirmation
    valid: bool
    reason: str


def verify_confirmation(contract: PurchaseContract, confirmation: ContractConfirmation) -> Verification:
    """Re-verify one confirmation from what is stored: the message is rebuilt from the contract (not taken from the
    row), the signature checked with the registered key, the key's revocation compared with the signing time."""
    key = confirmation.key
    expected = content.confirmation_message(
        contract=contract,
        party=confirmation.party,
        uscc=confirmation.organization.uscc or "",
        signed_at=_signed_at_text(confirmation),
    )
    if not content.content_matches_fields(contract):
        return Verification(confirmation, False, _("合同内容与摘要不符"))
    if confirmation.digest != contract.digest or expected.decode("utf-8") != confirmation.message:
        return Verification(confirmation, False, _("签名原文与合同不符"))
    if key.revoked_at is not None and key.revoked_at <= confirmation.signed_at:
        return Verification(confirmation, False, _("签名时公钥已撤销"))
    ok = signing.verify(
        algorithm=confirmation.algorithm,
        public_key_b64=key.public_key,
        signature_b64=confirmation.signature,
        message=expected,
    )
    return Verification(confirmation, ok, _("签名有效") if ok else _("签名验证失败"))


def _signed_at_text(confirmation: ContractConfirmation) -> str:
    """The signing time exactly as signed: kept in the stored message (the column holds the parsed time)."""
    return content.signed_at_of(confirmation.message)


def verify_all(contract: PurchaseContract) -> list[Verification]:
    confirmations = contract.confirmations.select_related("key", "organization", "user").order_by("confirmed_at", "pk")
    return [verify_confirmation(contract, c) for c in confirmations]


def contracts_for_order(user, order) -> list[PurchaseContract]:
    """The contracts in force (or awaiting confirmation) of the commitments an order's lines buy against: the
    hospital's commitments for the awards on the order's lines. Only what the user may see."""
    award_ids = {line.award_id for line in order.lines.all() if line.award_id}
    if not award_ids:
        return []
    return list(
        contracts_visible_to(user)
        .filter(commitment__hospital_id=order.hospital_id, commitment__award_id__in=award_ids)
        .exclude(status=PurchaseContract.Status.SUPERSEDED)
        .order_by("number", "-version")
    )


def keys_of(user) -> QuerySet[SigningKey]:
    return SigningKey.objects.filter(user=user).order_by("-registered_at")
