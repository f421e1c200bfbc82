"""Journey: the manufacturer `mfr2` confirms its sealed bid (the browser refuses the submission until the box is
ticked), keeps the receipt file, and after the opening verifies its bid on the opening record — with the receipt
file (matches) and with a wrong nonce (says so, changes nothing) — then reads its own outcome."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from procurement.models import Bid
from procurement.services import tenders as svc
from tests.browser.conftest import expect_no_error, login
from tests.factories import UserFactory
from tests.fixtures.tenders import shift, to_bidding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_mfr2_confirms_its_bid_keeps_the_receipt_and_verifies_it_after_the_opening(new_page, world, tmp_path):
    to_bidding(world)
    tender, lot, reps, products = world["tender"], world["lot"], world["reps"], world["products"]
    UserFactory(username="mfr2", organization=world["makers"][0], roles=["manufacturer_rep"])
    svc.bid_submit(lot=lot, product=products[1], price="0.8000", supply_capacity=500000, by=reps[1])

    page = new_page()
    login(page, "mfr2")
    page.goto(f"/tenders/{tender.pk}/")
    section = page.locator(f"section[data-lot='{lot.pk}']")
    section.locator("select[name$=product]").select_option(str(products[0].pk))
    section.locator("input[name$=price]").fill("0.4500")
    section.locator("input[name$=supply_capacity]").fill("600000")
    # Without the confirmation the browser does not send the form (works without JavaScript: `required`).
    section.locator("button.primary").click()
    assert page.url.endswith(f"/tenders/{tender.pk}/")
    assert not Bid.objects.filter(manufacturer=world["makers"][0]).exists()
    section.locator("input[name$=confirm]").check()
    with page.expect_navigation():
        section.locator("button.primary").click()
    expect_no_error(page)
    bid = Bid.objects.get(manufacturer=world["makers"][0])
    receipt = page.locator(f".bid-receipt[data-bid='{bid.pk}']")
    assert bid.seal_hash in receipt.inner_text()
    nonce = page.locator("[data-receipt-nonce]").inner_text().strip()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载申报回执").click()
    kept = tmp_path / "receipt.json"
    download.value.save_as(kept)
    data = json.loads(Path(kept).read_text(encoding="utf-8"))
    assert data["bid"] == bid.pk and data["nonce"] == nonce and data["digest"] == bid.seal_hash

    # The withdrawal too waits for its confirmation.
    page.goto(f"/tenders/{tender.pk}/")
    page.locator(".withdraw-form button").click()
    assert Bid.objects.get(pk=bid.pk).status == "submitted"

    # The clock passes the deadline and the opening; the officials evaluate and publish.
    shift(tender, bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_open_bids(tender=tender, by=world["official"])
    svc.tender_evaluate(tender=tender, by=world["official"])
    svc.tender_award(tender=tender, by=world["official"])

    page.goto(f"/tenders/{tender.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="开标记录（申报摘要）").click()
    own = page.locator(f"tr[data-bid='{bid.pk}']")
    assert bid.seal_hash in own.inner_text() and "own" in (own.get_attribute("class") or "")
    assert page.locator(".opening-lot tbody tr").count() == 2  # every opened bid, the competitor's too

    page.locator("input[name=receipt_file]").set_input_files(str(kept))
    with page.expect_navigation():
        page.get_by_role("button", name="核对").click()
    assert page.locator(f"[data-verified='{bid.pk}']").count() == 1
    assert "核对一致" in page.locator(".verify-ok").inner_text()

    before = list(Bid.objects.order_by("pk").values_list("pk", "status", "seal_hash"))
    page.locator("select[name=bid]").select_option(str(bid.pk))
    page.locator("input[name=price]").fill("0.4500")
    page.locator("input[name=nonce]").fill("0" * 32)
    with page.expect_navigation():
        page.get_by_role("button", name="核对").click()
    assert "核对不一致" in page.locator(".verify-failed").inner_text()
    assert page.locator(".verify-ok").count() == 0
    assert list(Bid.objects.order_by("pk").values_list("pk", "status", "seal_hash")) == before

    page.goto(f"/tenders/{tender.pk}/my-bids/")
    mine = page.locator(f".own-bid[data-bid='{bid.pk}']")
    assert mine.get_attribute("data-status") == "selected"
    assert "0.4500" in mine.locator("[data-price]").inner_text()
    assert mine.locator(".reasons li").count() > 0
