"""The public pages without signing in: the tender list, a tender's announcement, opening record and candidates on
notice, the listing results, and the language switch."""

from datetime import timedelta

import pytest
from django.utils import timezone

from procurement.models import TenderEvaluation
from procurement.services import tenders as svc
from tests.fixtures.tenders import shift, to_bidding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_public_pages_without_sign_in_in_both_languages(new_page, world, settings):
    settings.TENDER_NOTICE_DAYS = 3
    to_bidding(world)
    lot, reps, products = world["lot"], world["reps"], world["products"]
    bids = [
        svc.bid_submit(lot=lot, product=products[0], price="0.5000", supply_capacity=500000, by=reps[0]),
        svc.bid_submit(lot=lot, product=products[1], price="0.6000", supply_capacity=500000, by=reps[1]),
    ]
    shift(world["tender"], bid_deadline=timedelta(seconds=-2), opening_at=timedelta(seconds=-1))
    svc.tender_refresh(tender=world["tender"])
    svc.tender_evaluate(tender=world["tender"], by=world["official"])
    assert TenderEvaluation.objects.get().run_at <= timezone.now()

    page = new_page()
    page.goto("/public/")
    assert "/accounts/login/" not in page.url
    assert page.locator("h1").inner_text() == "带量采购信息公开"
    page.click(f"text={world['tender'].code}")
    page.wait_for_url(f"**/public/tenders/{world['tender'].pk}/")
    assert "1.2000" in page.locator("#public-lots").inner_text()
    opening = page.locator("#public-opening").inner_text()
    for bid in bids:
        bid.refresh_from_db()
        assert bid.seal_hash in opening
    assert page.locator("#candidates").is_visible() and "公示中" in page.locator("#candidates").inner_text()

    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#opening h2").inner_text() == "Opening record"
    assert "On notice" in page.locator("#candidates").inner_text()
    page.goto("/public/listings/")
    assert page.locator("h1").inner_text() == "Listing results"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("h1").inner_text() == "挂网结果"
