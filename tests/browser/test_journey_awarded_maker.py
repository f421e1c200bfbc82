"""Journey: `mfr2` wins a lot with a sealed bid and verifies it on the opening record with the receipt it kept; the
three-party purchase contract of its commitment is confirmed — mfr2 generates its key and signs in the browser — and
comes into force; the hospital orders and receives the product; mfr2 claims the month's statement from its workbench's
to-do, the hospital confirms, the fund approves and pays, and the workbench shows the payment."""

import json
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from contracts import selectors as contract_selectors
from contracts.models import PurchaseContract
from contracts.services import confirmations, parties
from procurement.models import Commitment, Listing, Tender
from procurement.services import tenders as svc
from settlement.demo import _month_start, _receive
from settlement.generation import generate_statements
from settlement.models import SettlementStatement
from settlement.services import payments, review, statements
from tests.browser.conftest import expect_no_error, login
from tests.contracts.world import signer_for
from tests.factories import AgencyFactory, DistributionAuthorizationFactory, DistributorFactory, UserFactory
from tests.fixtures.tenders import shift, to_bidding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _award(world, tmp_path):
    """mfr2's sealed bid (its receipt kept as a file), the opening, evaluation and award, the cycle begun."""
    to_bidding(world)
    maker = world["makers"][0]
    mfr2 = UserFactory(username="mfr2", organization=maker, roles=["manufacturer_rep"])
    bid = svc.bid_submit(
        lot=world["lot"], product=world["products"][0], price="0.4500", supply_capacity=900000, by=mfr2
    )
    kept = tmp_path / "receipt.json"
    kept.write_text(json.dumps(bid.receipt, default=str), encoding="utf-8")
    tender = world["tender"]
    shift(tender, bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=tender, by=world["official"])
    svc.tender_evaluate(tender=tender, by=world["official"])
    svc.tender_award(tender=tender, by=world["official"])
    # the cycle began three months ago (tests only), so last month's receipts are settled
    start = _month_start(3)
    Tender.objects.filter(pk=tender.pk).update(cycle_start=start)
    Listing.objects.filter(award__tender=tender).update(valid_from=start)
    svc.tender_refresh(tender=tender)
    return mfr2, bid, kept


def _sign_in_browser(page, contract) -> None:
    page.goto("/contracts/keys/")
    page.fill("input[name=label]", "北辰制药签名密钥")
    with page.expect_navigation():
        page.click("#generate-key")
    expect_no_error(page)
    page.goto(f"/contracts/{contract.pk}/")
    assert page.locator("#contract-digest").inner_text() == contract.digest
    # waits in Playwright, not with a string evaluated in the page (the page's CSP forbids eval)
    expect(page.locator("#confirm-form select[name=key]")).not_to_have_value("")
    with page.expect_navigation():
        page.click("#sign-button")
    expect_no_error(page)


def test_mfr2_award_contract_signed_orders_statement_claimed_and_paid(new_page, world, settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    mfr2, bid, kept = _award(world, tmp_path)
    page = new_page()
    login(page, "mfr2")

    # The opening record verifies the bid from the kept receipt.
    page.goto(f"/tenders/{world['tender'].pk}/opening/")
    page.locator("input[name=receipt_file]").set_input_files(str(kept))
    with page.expect_navigation():
        page.get_by_role("button", name="核对").click()
    assert page.locator(f"[data-verified='{bid.pk}']").count() == 1

    # The contract: the hospital chooses the distributor and signs, the distributor signs, mfr2 signs in the browser.
    commitment = Commitment.objects.filter(manufacturer=mfr2.organization).order_by("pk").first()
    hospital = commitment.hospital
    buyer = next(u for u in world["buyers"] if u.organization_id == hospital.pk)
    distributor = DistributorFactory(name="旅程合同配送有限公司")
    dist = UserFactory(username="j_dist2", organization=distributor, roles=["distributor_rep"])
    DistributionAuthorizationFactory(product=commitment.product, distributor=distributor, regions=[hospital.region])
    contract = PurchaseContract.objects.get(commitment=commitment, version=1)
    contract = parties.contract_choose_distributor(contract=contract, by=buyer, distributor_id=distributor.pk)
    for user in (buyer, dist):
        signer = signer_for(user)
        confirmations.contract_confirm(contract=contract, by=user, **signer.sign(contract))
    page.goto("/")
    assert page.locator("[data-todo=contracts_to_confirm] strong").inner_text() == "1"
    contract.refresh_from_db()
    _sign_in_browser(page, contract)
    contract.refresh_from_db()
    assert contract.status == PurchaseContract.Status.IN_FORCE
    assert [v.valid for v in contract_selectors.verify_all(contract)] == [True, True, True]
    assert page.locator("#signatures tr[data-valid='1']").count() == 3

    # The hospital orders and receives last month; the month's statement is built.
    listing = Listing.objects.get(award__tender=world["tender"], manufacturer=mfr2.organization)
    last_month = _month_start(1)
    _receive(buyer, dist, [listing], 30, last_month + timedelta(days=5), "88000001")
    generate_statements(month=last_month)
    statement = SettlementStatement.objects.get(manufacturer=mfr2.organization, hospital=hospital)

    # mfr2 claims it from its workbench's to-do.
    page.goto("/")
    todo = page.locator("[data-todo=statements_to_claim]")
    assert todo.locator("strong").inner_text() == "1"
    with page.expect_navigation():
        todo.locator("a").click()
    with page.expect_navigation():
        page.locator(f"tr[data-statement='{statement.pk}'] a").first.click()
    page.fill("input[name=invoice_numbers]", "44001234")
    with page.expect_navigation():
        page.click("button[name=action][value=claim]")
    expect_no_error(page)
    statement.refresh_from_db()
    assert statement.status == SettlementStatement.Status.CLAIMED

    # The hospital confirms, the fund approves and pays; mfr2 sees it paid.
    fund = UserFactory(username="j_fund2", organization=AgencyFactory(), roles=["fund_officer"])
    statements.statement_review(statement=statement, by=buyer)
    review.statement_approve(statement=statement, by=fund)
    statement.refresh_from_db()
    payments.payment_record(statement=statement, amount=statement.amount, reference="ZF-J-0001", by=fund)
    page.goto("/")
    assert page.locator("[data-statement-status=paid] td.num").first.inner_text() == "1"
    assert page.locator("[data-paid]").inner_text() != "0.00"
