"""The contract lifecycle through the services: generation (set-based, idempotent), the distributor's choice, the
three signed confirmations, amendments as new versions — and each refusal with nothing written."""

from decimal import Decimal

import pytest
from django.utils import timezone

from common.errors import ConflictError, NotFoundError, ValidationFailed
from common.models import AuditEvent
from contracts import content, selectors
from contracts.errors import ContractError
from contracts.models import ContractAmendment, ContractConfirmation, PurchaseContract
from contracts.services import amendments, confirmations, generation, keys, parties
from tests.factories import DistributionAuthorizationFactory, ListingFactory, ProductFactory
from tests.procurement.ordering import refused

from .world import generated, signer_for

pytestmark = pytest.mark.django_db
S = PurchaseContract.Status


def confirm_all(contract, signers):
    for party in ("hospital", "manufacturer", "distributor"):
        signer = signers[party]
        confirmations.contract_confirm(contract=contract, by=signer.user, **signer.sign(contract))
    contract.refresh_from_db()
    return contract


def test_generation_is_one_draft_per_commitment_and_idempotent(cw):
    assert generation.contracts_generate(tender_id=cw.commitment.tender_id) == 1
    assert generation.contracts_generate(tender_id=cw.commitment.tender_id) == 0
    assert generation.contracts_generate() == 0
    contract = cw.contract()
    c = cw.commitment
    assert (contract.status, contract.version, contract.number) == (S.DRAFT, 1, f"HT-{c.tender.code}-{c.pk:06d}")
    assert (contract.quantity, contract.amount, contract.unit_price) == (12000, c.agreed_amount, Decimal("0.3000"))
    assert (contract.period_start, contract.period_end) == (c.cycle_start, c.cycle_end)
    assert (contract.response_hours, contract.delivery_hours, contract.payment_term_days) == (24, 72, 30)
    # the set-based write left its history row: the contract as written, created, with the reason
    (row,) = contract.history.all()
    assert (row.history_type, row.history_change_reason, row.history_user_id) == ("+", "生成购销合同", None)
    assert (row.number, row.quantity, row.amount, row.status) == (contract.number, 12000, c.agreed_amount, S.DRAFT)


def test_choosing_the_distributor_fixes_the_content_and_digest(cw):
    contract = generated(cw)
    assert [d.pk for d in selectors.authorised_distributors(contract)] == [cw.distributor.pk]
    contract = parties.contract_choose_distributor(contract=contract, by=cw.buyer, distributor_id=cw.distributor.pk)
    assert contract.status == S.PENDING
    assert contract.digest == content.digest_of(contract.content)
    assert contract.content["distributor"]["uscc"] == cw.distributor.uscc
    assert contract.content["payment_terms"]["payment_term_days"] == 30
    assert content.content_matches_fields(contract)


def test_an_unauthorised_distributor_is_refused_and_nothing_changes(cw):
    contract = generated(cw)
    with refused(ValidationFailed, ContractError.DISTRIBUTOR_NOT_AUTHORISED) as caught:
        parties.contract_choose_distributor(contract=contract, by=cw.buyer, distributor_id=cw.unauthorised.pk)
    assert caught.value.field == "distributor"
    contract.refresh_from_db()
    assert (contract.status, contract.distributor_id, contract.digest) == (S.DRAFT, None, "")


def test_three_signed_confirmations_put_the_contract_in_force(cw, pending):
    signers = cw.signers()
    contract = confirm_all(pending, signers)
    assert contract.status == S.IN_FORCE and contract.signed_at is not None
    results = selectors.verify_all(contract)
    assert [r.valid for r in results] == [True, True, True]
    assert {r.confirmation.party for r in results} == {"hospital", "manufacturer", "distributor"}


def test_confirming_another_organisations_contract_is_not_found(cw, pending):
    signer = signer_for(cw.stranger)
    with refused(NotFoundError, "not_found"):
        confirmations.contract_confirm(contract=pending, by=cw.stranger, **signer.sign(pending, party="hospital"))
    assert not ContractConfirmation.objects.exists()


def test_confirming_twice_is_refused(cw, pending):
    signer = signer_for(cw.buyer)
    confirmations.contract_confirm(contract=pending, by=cw.buyer, **signer.sign(pending))
    with refused(ConflictError, ContractError.ALREADY_CONFIRMED):
        confirmations.contract_confirm(contract=pending, by=cw.buyer, **signer.sign(pending))
    assert ContractConfirmation.objects.count() == 1


def test_a_signature_that_does_not_verify_is_refused_and_nothing_is_written(cw, pending):
    signer = signer_for(cw.rep)
    posted = signer.sign(pending)
    other = signer_for(cw.buyer)  # a valid signature, but by another key than the one named
    forged = {
        **posted,
        "signature": other.sign(pending, party="manufacturer", signed_at=posted["signed_at"])["signature"],
    }
    events = AuditEvent.objects.count()
    with refused(ValidationFailed, ContractError.SIGNATURE_INVALID) as caught:
        confirmations.contract_confirm(contract=pending, by=cw.rep, **forged)
    assert caught.value.field == "signature"
    # a genuine signature over another time than the one posted does not verify either
    with refused(ValidationFailed, ContractError.SIGNATURE_INVALID):
        later = signer.sign(pending, signed_at=posted["signed_at"].replace("Z", "+00:00"))
        confirmations.contract_confirm(contract=pending, by=cw.rep, **{**later, "signed_at": posted["signed_at"]})
    assert not ContractConfirmation.objects.exists()
    assert AuditEvent.objects.count() == events
    pending.refresh_from_db()
    assert pending.status == S.PENDING


def test_a_signature_for_another_party_does_not_verify(cw, pending):
    signer = signer_for(cw.dist)
    with refused(ValidationFailed, ContractError.SIGNATURE_INVALID):
        confirmations.contract_confirm(contract=pending, by=cw.dist, **signer.sign(pending, party="hospital"))
    assert not ContractConfirmation.objects.exists()


def test_an_unknown_or_revoked_key_is_refused(cw, pending):
    signer = signer_for(cw.buyer)
    posted = signer.sign(pending)
    with refused(ValidationFailed, ContractError.KEY_UNKNOWN):
        confirmations.contract_confirm(contract=pending, by=cw.buyer, **{**posted, "key": "ab" * 32})
    rep_signer = signer_for(cw.rep)  # another user's key is unknown to this user
    with refused(ValidationFailed, ContractError.KEY_UNKNOWN):
        confirmations.contract_confirm(contract=pending, by=cw.buyer, **{**posted, "key": rep_signer.key.fingerprint})
    keys.signing_key_revoke(key_id=signer.key.pk, by=cw.buyer)
    with refused(ValidationFailed, ContractError.KEY_REVOKED) as caught:
        confirmations.contract_confirm(contract=pending, by=cw.buyer, **posted)
    assert caught.value.field == "key"
    assert not ContractConfirmation.objects.exists()


def test_a_signing_time_far_from_now_is_refused(cw, pending):
    signer = signer_for(cw.buyer)
    with refused(ValidationFailed, ContractError.SIGNED_AT_OUT_OF_RANGE):
        confirmations.contract_confirm(
            contract=pending, by=cw.buyer, **signer.sign(pending, signed_at="2020-01-01T00:00:00.000Z")
        )
    with refused(ValidationFailed, ContractError.SIGNED_AT_INVALID):
        confirmations.contract_confirm(contract=pending, by=cw.buyer, **signer.sign(pending, signed_at="yesterday"))
    for edge in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):  # the ends of the calendar
        with refused(ValidationFailed, ContractError.SIGNED_AT_OUT_OF_RANGE):
            confirmations.contract_confirm(contract=pending, by=cw.buyer, **signer.sign(pending, signed_at=edge))
    with refused(ValidationFailed, ContractError.SIGNED_AT_INVALID):  # no offset
        now = timezone.localtime().replace(tzinfo=None).isoformat()
        confirmations.contract_confirm(contract=pending, by=cw.buyer, **signer.sign(pending, signed_at=now))
    assert not ContractConfirmation.objects.exists()


def test_a_draft_cannot_be_confirmed(cw):
    contract = generated(cw)
    signer = signer_for(cw.buyer)
    with refused(ConflictError, ContractError.CONTRACT_NOT_READY):
        confirmations.contract_confirm(
            contract=contract, by=cw.buyer, key=signer.key.fingerprint, signed_at="x", signature="AA=="
        )


def test_an_amendment_is_a_new_version_and_supersedes_the_old_once_in_force(cw, pending):
    signers = cw.signers()
    v1 = confirm_all(pending, signers)
    digest = v1.digest
    v2 = amendments.contract_amend(contract=v1, by=cw.rep, reason="产能调整，按医院实际用量核减", quantity="10000")
    v1.refresh_from_db()
    assert (v1.status, v1.digest, v1.quantity) == (S.IN_FORCE, digest, 12000)  # the old one untouched
    assert (v2.version, v2.previous_id, v2.status, v2.quantity, v2.amount) == (
        2,
        v1.pk,
        S.PENDING,
        10000,
        Decimal("3000.00"),
    )
    assert v2.content["amendment"] == {
        "amends_version": 1,
        "amends_digest": digest,
        "reason": "产能调整，按医院实际用量核减",
    }
    assert ContractAmendment.objects.get().new_version == v2
    with refused(ConflictError, ContractError.AMENDMENT_PENDING):
        amendments.contract_amend(contract=v1, by=cw.buyer, reason="再改", quantity="9000")
    v2 = confirm_all(v2, signers)
    v1.refresh_from_db()
    assert (v1.status, v2.status) == (S.SUPERSEDED, S.IN_FORCE)
    assert all(r.valid for r in selectors.verify_all(v1))  # the old version stays readable and verifiable


def test_amendment_refusals_write_nothing(cw, pending):
    with refused(ConflictError, ContractError.CONTRACT_NOT_IN_FORCE):
        amendments.contract_amend(contract=pending, by=cw.rep, reason="x", quantity="1")
    v1 = confirm_all(pending, cw.signers())
    with refused(ValidationFailed, ContractError.REASON_REQUIRED):
        amendments.contract_amend(contract=v1, by=cw.rep, reason=" ", quantity="1")
    with refused(ValidationFailed, ContractError.NOTHING_CHANGED):
        amendments.contract_amend(contract=v1, by=cw.rep, reason="x", quantity=str(v1.quantity))
    with refused(ValidationFailed, ContractError.QUANTITY_NOT_POSITIVE):
        amendments.contract_amend(contract=v1, by=cw.rep, reason="x", quantity="0")
    with refused(ConflictError, ContractError.NOT_A_PARTY):
        amendments.contract_amend(contract=v1, by=cw.dist, reason="x", quantity="5")
    with refused(NotFoundError, "not_found"):
        amendments.contract_amend(contract=v1, by=cw.stranger, reason="x", quantity="5")
    assert PurchaseContract.objects.count() == 1 and not ContractAmendment.objects.exists()


def test_a_fixed_contract_is_never_changed_in_place(cw, pending):
    v1 = confirm_all(pending, cw.signers())
    v1.quantity = 1
    with refused(ConflictError, ContractError.CONTRACT_IMMUTABLE):
        v1.save()
    v1.refresh_from_db()
    assert v1.quantity == 12000


def test_a_key_must_be_a_public_key_of_its_algorithm(cw):
    with refused(ValidationFailed, ContractError.ALGORITHM_UNKNOWN):
        keys.signing_key_register(by=cw.buyer, algorithm="RSA", public_key="AAAA")
    with refused(ValidationFailed, ContractError.KEY_INVALID):
        keys.signing_key_register(by=cw.buyer, algorithm="ECDSA-P256-SHA256", public_key="bm90IGEga2V5")
    signer = signer_for(cw.buyer)
    with refused(ConflictError, ContractError.KEY_EXISTS):
        keys.signing_key_register(by=cw.buyer, algorithm="ECDSA-P256-SHA256", public_key=signer.key.public_key)
    assert signer.key.public_key_jwk["crv"] == "P-256"


def test_a_hospital_makes_an_annual_contract_for_a_listed_product(cw):
    product = ProductFactory(manufacturer=cw.manufacturer, generic_name="蒙药测试丸", pack_size=10)
    listing = ListingFactory(product=product, unit_price=Decimal("1.2500"), pack_price=Decimal("12.50"))
    DistributionAuthorizationFactory(product=product, distributor=cw.distributor)
    year = timezone.localdate().year
    with refused(ValidationFailed, ContractError.DISTRIBUTOR_NOT_AUTHORISED):
        parties.annual_contract_create(
            by=cw.buyer, listing_id=listing.pk, year=year, quantity=800, distributor_id=cw.unauthorised.pk
        )
    assert not PurchaseContract.objects.exists()
    contract = parties.annual_contract_create(
        by=cw.buyer, listing_id=listing.pk, year=year, quantity=800, distributor_id=cw.distributor.pk
    )
    assert (contract.kind, contract.status, contract.amount, contract.year) == (
        "annual",
        S.PENDING,
        Decimal("1000.00"),
        year,
    )
    assert contract.content["payment_terms"]["settlement"] == "hospital"  # a listed product outside VBP: not the fund
    with refused(ConflictError, ContractError.ANNUAL_CONTRACT_EXISTS):
        parties.annual_contract_create(
            by=cw.buyer, listing_id=listing.pk, year=year, quantity=900, distributor_id=cw.distributor.pk
        )
    with refused(ConflictError, ContractError.NOT_A_PARTY):
        parties.annual_contract_create(
            by=cw.rep, listing_id=listing.pk, year=year, quantity=900, distributor_id=cw.distributor.pk
        )
    assert PurchaseContract.objects.count() == 1
