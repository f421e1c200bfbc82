"""A hospital purchaser generates a signing key in the browser (WebCrypto ECDSA P-256, private key non-extractable in
IndexedDB), registers its public key, and signs the confirmation of a purchase contract; the server verifies it."""

import pytest
from playwright.sync_api import expect

from contracts import selectors
from contracts.models import ContractConfirmation, SigningKey
from contracts.services import parties
from tests.browser.conftest import expect_no_error, login
from tests.browser.test_content_security_policy import watch
from tests.contracts.world import build, generated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_purchaser_generates_a_key_in_the_browser_and_signs_the_contract(new_page, live_server):
    cw = build()
    contract = parties.contract_choose_distributor(
        contract=generated(cw), by=cw.buyer, distributor_id=cw.distributor.pk
    )
    page = new_page()
    problems = watch(page, live_server.url)
    login(page, "c_buyer")

    page.goto("/contracts/keys/")
    page.fill("input[name=label]", "浏览器测试密钥")
    with page.expect_navigation():
        page.click("#generate-key")
    expect_no_error(page)
    key = SigningKey.objects.get(user=cw.buyer)
    assert (key.algorithm, key.label, key.public_key_jwk["crv"]) == ("ECDSA-P256-SHA256", "浏览器测试密钥", "P-256")
    # the browser holds the private key of the registered public key
    # waits in Playwright, not with a string evaluated in the page (the page's CSP forbids eval)
    expect(page.locator(f"[data-held='{key.fingerprint}']")).not_to_have_text("—")
    held = page.evaluate(
        """() => new Promise((resolve) => {
             const open = indexedDB.open("yx-signing-keys", 1);
             open.onsuccess = () => {
               const get = open.result.transaction("keys").objectStore("keys").getAll();
               get.onsuccess = () => resolve(get.result.map(r => [r.fingerprint, r.privateKey.extractable]));
             };
           })"""
    )
    assert held == [[key.fingerprint, False]]

    page.goto(f"/contracts/{contract.pk}/")
    assert page.locator("#contract-digest").inner_text() == contract.digest
    expect(page.locator("#confirm-form select[name=key]")).to_have_value(key.fingerprint)
    with page.expect_navigation():
        page.click("#sign-button")
    expect_no_error(page)
    confirmation = ContractConfirmation.objects.get(contract=contract)
    assert (confirmation.party, confirmation.key_id) == ("hospital", key.pk)
    assert [v.valid for v in selectors.verify_all(contract)] == [True]
    assert page.locator("#signatures tr[data-party=hospital][data-valid='1']").count() == 1
    assert page.locator("[data-awaiting=hospital]").count() == 0
    assert problems == []  # the signing script ran under the Content-Security-Policy, nothing refused
