"""Errors land on the field that was wrong: the tender's date order, the demand report with 不指定, and every part of
the new-tender page at once."""

import re

import pytest
from django.test import Client

from procurement.models import DemandReport, Tender
from procurement.services.tenders.lifecycle import _misordered_date

from .test_tender_page_actions import TENDER_FORM, url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"t-demand_end": "2027-02-20T17:00"}, "demand_end"),  # before its start
        ({"t-demand_end": "2027-03-25T17:00"}, "demand_end"),  # after both 申报截止 and 开标
        ({"t-bid_deadline": "2027-03-05T17:00"}, "bid_deadline"),  # before 报量截止
        ({"t-opening_at": "2027-03-15T09:00"}, "opening_at"),  # before 申报截止
    ],
)
def test_the_date_order_error_lands_on_the_date_that_was_wrong(official, changes, field):
    client = Client()
    client.force_login(official)
    response = client.post("/tenders/new/", {**TENDER_FORM, **changes})
    html = response.content.decode()
    assert response.status_code == 400 and not Tender.objects.exists()
    wrong = re.search(rf'<input[^>]*name="t-{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in wrong, wrong
    for other in {"demand_end", "bid_deadline", "opening_at"} - {field}:
        assert 'aria-invalid="true"' not in re.search(rf'<input[^>]*name="t-{other}"[^>]*>', html).group(0)


def test_misordered_date_rule():
    assert _misordered_date(1, 9, 5, 7) == "demand_end"
    assert _misordered_date(1, 3, 2, 7) == "bid_deadline"
    assert _misordered_date(5, 3, 6, 7) == "demand_end"
    assert _misordered_date(1, 3, 5, 4) == "opening_at"


def test_new_tender_page_shows_the_errors_of_every_part_at_once(official):
    client = Client()
    client.force_login(official)
    bad = {**TENDER_FORM, "t-name": "", "r-max_winners_cap": "abc", "lots-1-generic_name": ""}
    html = client.post("/tenders/new/", bad).content.decode()
    invalid = re.findall(r'<input[^>]*aria-invalid="true"[^>]*>', html)
    names = {re.search(r'name="([^"]+)"', tag).group(1) for tag in invalid}
    assert {"t-name", "r-max_winners_cap", "lots-1-generic_name"} <= names, names
    assert sum("autofocus" in tag for tag in invalid) >= 1


def test_demand_with_no_named_product_blames_the_volume_not_the_product(world, collecting):
    tender, lot, buyer = world["tender"], world["lot"], world["buyers"][0]
    client = Client()
    client.force_login(buyer)
    response = client.post(
        url(tender, "demand"), {"lot": lot.pk, f"demand{lot.pk}-annual_volume": "", f"demand{lot.pk}-named_product": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "指定产品须为本品种的产品" not in html
    volume = re.search(rf'<input[^>]*name="demand{lot.pk}-annual_volume"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in volume or "autofocus" in volume, volume
    assert not DemandReport.objects.exists()
    ok = client.post(
        url(tender, "demand"),
        {"lot": lot.pk, f"demand{lot.pk}-annual_volume": "1200", f"demand{lot.pk}-named_product": ""},
    )
    assert ok.status_code == 302 and DemandReport.objects.get().named_product is None
