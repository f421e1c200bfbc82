"""The contract API and pages: scoping (another organisation's contract is 404), the signed confirmation over the API,
the refusals with their codes and nothing written, PUT/PATCH refused, the PDF, the keys, and the order page's link."""

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from rest_framework.test import APIClient

from contracts.errors import ContractError
from contracts.models import ContractConfirmation, PurchaseContract, SigningKey
from contracts.services import confirmations, parties
from tests.factories import PurchaseOrderFactory, PurchaseOrderLineFactory

from .world import generated, signer_for, spki_b64

pytestmark = pytest.mark.django_db
S = PurchaseContract.Status


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_each_party_lists_its_contract_and_a_stranger_sees_nothing(cw, pending):
    for user in (cw.buyer, cw.rep, cw.dist, cw.official):
        rows = api(user).get("/api/v1/contracts/").json()["results"]
        assert [r["id"] for r in rows] == [pending.pk]
    assert api(cw.stranger).get("/api/v1/contracts/").json()["results"] == []
    assert api(cw.stranger).get(f"/api/v1/contracts/{pending.pk}/").status_code == 404


def test_detail_has_the_canonical_content_its_digest_and_what_is_awaited(cw, pending):
    body = api(cw.rep).get(f"/api/v1/contracts/{pending.pk}/").json()
    assert body["digest"] == pending.digest and body["status"] == "pending"
    assert body["awaiting"] == ["hospital", "manufacturer", "distributor"]
    assert body["allowed_actions"] == ["confirm"]
    assert hashlib.sha256(body["canonical_content"].encode()).hexdigest() == body["digest"]


def test_confirm_over_the_api_and_the_signature_is_shown_verified(cw, pending):
    signer = signer_for(cw.dist)
    response = api(cw.dist).post(f"/api/v1/contracts/{pending.pk}/confirm/", signer.sign(pending), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["awaiting"] == ["hospital", "manufacturer"]
    [confirmation] = body["confirmations"]
    assert (confirmation["party"], confirmation["valid"]) == ("distributor", True)


def test_confirming_another_organisations_contract_is_404_and_writes_nothing(cw, pending):
    signer = signer_for(cw.stranger)
    response = api(cw.stranger).post(
        f"/api/v1/contracts/{pending.pk}/confirm/", signer.sign(pending, party="hospital"), format="json"
    )
    assert response.status_code == 404
    assert not ContractConfirmation.objects.exists()


def test_confirming_twice_is_409(cw, pending):
    signer = signer_for(cw.buyer)
    assert (
        api(cw.buyer).post(f"/api/v1/contracts/{pending.pk}/confirm/", signer.sign(pending), format="json").status_code
        == 200
    )
    response = api(cw.buyer).post(f"/api/v1/contracts/{pending.pk}/confirm/", signer.sign(pending), format="json")
    assert response.status_code == 409 and response.json()["code"] == ContractError.ALREADY_CONFIRMED
    assert ContractConfirmation.objects.count() == 1


def test_a_bad_signature_is_400_naming_the_field_and_writes_nothing(cw, pending):
    signer = signer_for(cw.rep)
    posted = {**signer.sign(pending), "signature": signer.sign(pending, party="hospital")["signature"]}
    response = api(cw.rep).post(f"/api/v1/contracts/{pending.pk}/confirm/", posted, format="json")
    assert response.status_code == 400
    assert response.json() | {"detail": ""} == {"code": "signature_invalid", "field": "signature", "detail": ""}
    assert not ContractConfirmation.objects.exists()


def test_an_unknown_or_revoked_key_is_400(cw, pending):
    signer = signer_for(cw.rep)
    client = api(cw.rep)
    response = client.post(
        f"/api/v1/contracts/{pending.pk}/confirm/", {**signer.sign(pending), "key": "0" * 64}, format="json"
    )
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (400, "key_unknown", "key")
    assert api(cw.dist).post(f"/api/v1/contracts/keys/{signer.key.pk}/revoke/").status_code == 404  # not theirs
    signer.key.refresh_from_db()
    assert signer.key.revoked_at is None
    assert client.post(f"/api/v1/contracts/keys/{signer.key.pk}/revoke/").status_code == 200
    response = client.post(f"/api/v1/contracts/{pending.pk}/confirm/", signer.sign(pending), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "key_revoked")
    assert not ContractConfirmation.objects.exists()


def test_changing_a_contract_in_place_is_refused(cw, pending):
    signers = cw.signers()
    for signer in signers.values():
        confirmations.contract_confirm(contract=pending, by=signer.user, **signer.sign(pending))
    for method in ("patch", "put"):
        response = getattr(api(cw.buyer), method)(f"/api/v1/contracts/{pending.pk}/", {"quantity": 1}, format="json")
        assert (response.status_code, response.json()["code"]) == (409, "contract_immutable")
    assert api(cw.stranger).patch(f"/api/v1/contracts/{pending.pk}/", {"quantity": 1}, format="json").status_code == 404
    pending.refresh_from_db()
    assert (pending.quantity, pending.status, pending.version) == (12000, S.IN_FORCE, 1)
    response = api(cw.buyer).post(
        f"/api/v1/contracts/{pending.pk}/amend/", {"reason": "临床用量增加", "quantity": "15000"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["version"], response.json()["quantity"], response.json()["status"]) == (2, 15000, "pending")
    pending.refresh_from_db()
    assert (pending.quantity, pending.status) == (12000, S.IN_FORCE)


def test_the_pdf_carries_the_digest(cw, pending):
    response = api(cw.buyer).get(f"/api/v1/contracts/{pending.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/octet-stream"
    assert response.content.startswith(b"%PDF") and len(response.content) > 2000
    assert api(cw.stranger).get(f"/api/v1/contracts/{pending.pk}/pdf/").status_code == 404
    client = APIClient()
    client.force_login(cw.rep)
    page = client.get(f"/contracts/{pending.pk}/pdf/")
    assert page["Content-Type"] == "application/pdf" and page.content.startswith(b"%PDF")


def test_keys_register_list_and_refuse_a_bad_key(cw):
    client = api(cw.rep)
    response = client.post(
        "/api/v1/contracts/keys/",
        {
            "algorithm": "ECDSA-P256-SHA256",
            "public_key": spki_b64(ec.generate_private_key(ec.SECP256R1())),
            "label": "办公室",
        },
        format="json",
    )
    assert response.status_code == 201 and len(response.json()["fingerprint"]) == 64
    assert [k["label"] for k in client.get("/api/v1/contracts/keys/").json()] == ["办公室"]
    p384 = spki_b64(ec.generate_private_key(ec.SECP384R1()))
    response = client.post(
        "/api/v1/contracts/keys/", {"algorithm": "ECDSA-P256-SHA256", "public_key": p384}, format="json"
    )
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "key_invalid",
        "public_key",
    )
    assert SigningKey.objects.count() == 1


def test_the_distributor_choice_over_the_api(cw):
    contract = generated(cw)
    client = api(cw.buyer)
    response = client.post(
        f"/api/v1/contracts/{contract.pk}/distributor/", {"distributor": cw.unauthorised.pk}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "distributor_not_authorised")
    response = api(cw.rep).post(
        f"/api/v1/contracts/{contract.pk}/distributor/", {"distributor": cw.distributor.pk}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "not_a_party")
    response = client.post(
        f"/api/v1/contracts/{contract.pk}/distributor/", {"distributor": cw.distributor.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "pending"


def test_pages_list_detail_and_the_order_page_links_the_contract(client, cw, pending):
    client.force_login(cw.buyer)
    page = client.get("/contracts/").content.decode()
    assert pending.number in page
    page = client.get(f"/contracts/{pending.pk}/").content.decode()
    assert pending.digest in page and 'id="confirm-form"' in page and "contract-sign.js" in page
    assert client.get("/contracts/keys/").status_code == 200
    client.force_login(cw.stranger)
    assert client.get(f"/contracts/{pending.pk}/").status_code == 404
    # an order of the hospital buying against the commitment shows the contract
    listing = pending.commitment.award.listings.get()
    order = PurchaseOrderFactory(hospital=cw.hospital, distributor=cw.distributor)
    PurchaseOrderLineFactory(order=order, listing=listing, award=pending.commitment.award)
    client.force_login(cw.buyer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="order-contracts"' in page and f"/contracts/{pending.pk}/" in page
    rows = api(cw.buyer).get(f"/api/v1/contracts/?order={order.pk}").json()["results"]
    assert [r["id"] for r in rows] == [pending.pk]


def test_a_page_confirmation_with_a_bad_signature_shows_the_error_and_writes_nothing(client, cw, pending):
    signer = signer_for(cw.buyer)
    posted = {**signer.sign(pending), "signature": signer.sign(pending, party="manufacturer")["signature"]}
    client.force_login(cw.buyer)
    response = client.post(f"/contracts/{pending.pk}/", {"action": "confirm", **posted}, follow=True)
    assert "签名验证失败" in response.content.decode()
    assert not ContractConfirmation.objects.exists()


def test_awaiting_me_is_each_partys_to_do_list(cw):
    draft = generated(cw)
    assert [r["id"] for r in api(cw.buyer).get("/api/v1/contracts/?awaiting_me=1").json()["results"]] == [draft.pk]
    assert api(cw.rep).get("/api/v1/contracts/?awaiting_me=1").json()["results"] == []
    contract = parties.contract_choose_distributor(contract=draft, by=cw.buyer, distributor_id=cw.distributor.pk)
    signer = signer_for(cw.rep)
    confirmations.contract_confirm(contract=contract, by=cw.rep, **signer.sign(contract))
    assert api(cw.rep).get("/api/v1/contracts/?awaiting_me=1").json()["results"] == []
    for user in (cw.buyer, cw.dist):
        assert [r["id"] for r in api(user).get("/api/v1/contracts/?awaiting_me=1").json()["results"]] == [contract.pk]
    assert api(cw.official).get("/api/v1/contracts/?awaiting_me=1").json()["results"] == []
