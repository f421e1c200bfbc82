"""Journey 2: a manufacturer opens a tender in bidding, submits a sealed bid, replaces it, watches the countdown;
after the opening (the tender's clock moved in the database) it sees the result and the volume it was awarded."""

import re
from datetime import timedelta

import pytest

from procurement.models import Bid, Commitment
from procurement.services import tenders as svc
from tests.browser.conftest import expect_no_error, login
from tests.fixtures.tenders import shift, to_bidding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_manufacturer_bids_replaces_sees_countdown_then_result_and_awarded_volume(new_page, world):
    to_bidding(world)
    tender, lot, reps, products = world["tender"], world["lot"], world["reps"], world["products"]
    # Two competitors bid through the service.
    svc.bid_submit(lot=lot, product=products[1], price="0.8000", supply_capacity=500000, by=reps[1])
    svc.bid_submit(lot=lot, product=world["half"], price="0.3000", supply_capacity=500000, by=reps[2])

    page = new_page()
    login(page, "rep0")
    page.goto("/tenders/")
    with page.expect_navigation():
        page.locator(f"a[href='/tenders/{tender.pk}/']").first.click()

    # The countdown runs (server-corrected): "距截止 01:59:5x", not expired.
    countdown = page.locator("h2 .countdown")
    page.wait_for_function("el => /\\d\\d:\\d\\d:\\d\\d/.test(el.textContent)", arg=countdown.element_handle())
    first = countdown.inner_text()
    assert first.startswith("距截止") and "countdown expired" not in (countdown.get_attribute("class") or "")
    page.wait_for_function("([el, before]) => el.textContent !== before", arg=[countdown.element_handle(), first])

    # Submit a bid on the lot.
    section = page.locator(f"section[data-lot='{lot.pk}']")
    section.locator("select[name$=product]").select_option(str(products[0].pk))
    section.locator("input[name$=price]").fill("0.5000")
    section.locator("input[name$=supply_capacity]").fill("600000")
    section.locator("input[name$=confirm]").check()
    with page.expect_navigation():
        section.locator("button.primary").click()
    expect_no_error(page)
    bid = Bid.objects.get(manufacturer=world["makers"][0], status="submitted")
    assert bid.seal_hash in page.locator(".bid-receipt").inner_text()  # the receipt to keep, then back to the tender
    with page.expect_navigation():
        page.get_by_role("link", name="返回批次").click()
    section = page.locator(f"section[data-lot='{lot.pk}']")
    assert section.get_attribute("data-bid") == str(bid.pk)
    assert bid.seal_hash in section.inner_text()  # the digest is shown, the price stays sealed
    assert "0.5000" not in page.content()

    # Replace it with a lower price.
    section.locator("input[name$=price]").fill("0.4500")
    section.locator("input[name^=replace][name$=confirm]").check()
    with page.expect_navigation():
        section.get_by_role("button", name="替换申报").click()
    expect_no_error(page)
    with page.expect_navigation():
        page.get_by_role("link", name="返回批次").click()
    replaced = Bid.objects.get(manufacturer=world["makers"][0], status="submitted")
    assert replaced.pk != bid.pk
    assert page.locator(f"section[data-lot='{lot.pk}']").get_attribute("data-bid") == str(replaced.pk)

    # The clock moves past the deadline and the opening time; reading the tender opens the bids.
    shift(tender, bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    page.reload()
    assert page.locator(f"section[data-lot='{lot.pk}']").count() == 0  # no more bidding
    assert "0.4500" in page.content()  # own price, now opened
    # The officials evaluate and publish the awards.
    svc.tender_evaluate(tender=tender, by=world["official"])
    svc.tender_award(tender=tender, by=world["official"])
    agreed = sum(
        Commitment.objects.filter(tender=tender, manufacturer=world["makers"][0]).values_list(
            "agreed_volume", flat=True
        )
    )
    assert agreed > 0

    page.reload()
    total = page.locator("[data-agreed-total]")
    assert total.get_attribute("data-agreed-total") == str(agreed)
    assert (
        page.locator("tr[data-commitment]").count()
        == Commitment.objects.filter(tender=tender, manufacturer=world["makers"][0]).count()
    )
    with page.expect_navigation():
        page.get_by_role("link", name="中选结果").click()
    winner = page.locator(f"tr[data-manufacturer='{world['makers'][0].pk}']")
    assert winner.count() == 1
    assert re.search(r"\b1\b", winner.locator("td").first.inner_text())
    assert "0.4500" in winner.inner_text()
