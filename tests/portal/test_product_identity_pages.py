"""Two products of one generic name, told apart on every page that shows them: price alert cases (list, detail and
the 函询 letter), inquiries, credit records, shortages, qualifications, payment standards, the public listings, the
tender opening record, and the API rows of these (`product_identity`)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from catalog.identity import product_identity
from payment_standards.models import PaymentStandard
from pricing.models import Inquiry, PriceAlert
from pricing.selectors import inquiry_letter
from pricing.services.scan import price_scan_run
from procurement.models import Listing
from tests.factories import ListingFactory, ManufacturerFactory, ProductFactory, QualificationFactory, UserFactory
from tests.utils import api_as, client_as

pytestmark = pytest.mark.django_db


class _Identities(HTMLParser):
    """The text of each `<span class="product-identity" data-product-id=…>` of a page, by product id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: dict[str, list[str]] = {}
        self.depth = 0
        self.current: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.current is not None:
            self.depth += tag == "span"
        elif tag == "span" and "product-identity" in (a.get("class") or "").split():
            self.current, self.depth, self.text = a.get("data-product-id"), 1, []

    def handle_endtag(self, tag):
        if self.current is not None and tag == "span":
            self.depth -= 1
            if self.depth == 0:
                self.found.setdefault(self.current, []).append(re.sub(r"\s+", " ", "".join(self.text)).strip())
                self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.text.append(data)


def identities(html: str) -> dict[int, set[str]]:
    parser = _Identities()
    parser.feed(html)
    return {int(k): set(v) for k, v in parser.found.items() if k}


def assert_told_apart(html: str, first, second, url: str = "") -> None:
    found = identities(html)
    assert first.pk in found and second.pk in found, (url, found)
    assert not found[first.pk] & found[second.pk], (url, found)


@pytest.fixture
def twins(peer_world, product, manufacturer, official):
    """The alert's product and a product of the same generic name from another maker, in another strength and pack,
    each with an alert case, an inquiry, a registration and a published payment standard."""
    twin = ProductFactory(
        manufacturer=ManufacturerFactory(name="同名另一制药有限公司"),
        generic_name=product.generic_name,
        specification="40mg",
        pack_size=28,
    )
    price_scan_run(full=True)
    alert = PriceAlert.objects.get()
    other = PriceAlert.objects.get(pk=alert.pk)
    other.pk = None
    other.product, other.manufacturer, other.subject_key = twin, twin.manufacturer, f"{alert.subject_key}-twin"
    other.save()
    for a in (alert, other):
        Inquiry.objects.create(
            alert=a,
            recipient=product.manufacturer,
            letter="请说明",
            reply_due=timezone.localdate() + timedelta(days=10),
            sent_by=official,
        )
    for p in (product, twin):
        QualificationFactory(organization=p.manufacturer, product=p, kind="drug_approval")
        PaymentStandard.objects.create(
            product=p,
            year=timezone.localdate().year,
            standard=Decimal("1.0000"),
            source=PaymentStandard.Source.MANUAL,
            status=PaymentStandard.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        ListingFactory(product=p, manufacturer=p.manufacturer, status=Listing.Status.ACTIVE)
    return product, twin, alert, other


def test_pages_tell_two_products_of_one_name_apart(twins, official):
    product, twin, alert, other = twins
    pages = {
        official: [
            "/pricing/alerts/",
            "/pricing/shortages/",
            "/qualifications/expiring/?days=3650",
            f"/payment-standards/?year={timezone.localdate().year}",
        ],
        None: ["/public/listings/"],
    }
    for user, urls in pages.items():
        client = client_as(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            if url.startswith("/pricing/shortages/"):
                continue  # no shortage in this world: the page renders, its rows are checked by the shortage tests
            assert_told_apart(response.content.decode(), product, twin, url)
    client = client_as(official)
    for a, p in ((alert, product), (other, twin)):
        page = client.get(f"/pricing/alerts/{a.pk}/").content.decode()
        assert p.pk in identities(page)
        # the 函询 letter's draft names the product with its strength, pack and maker, not by its name alone
        letter = inquiry_letter(PriceAlert.objects.get(pk=a.pk), [])
        assert product_identity(p) in letter and p.nhsa_code in letter, letter


def test_inquiries_and_qualifications_of_the_maker_tell_them_apart(twins):
    product, twin, *_ = twins
    rep = UserFactory(username="identity-rep", organization=product.manufacturer, roles=["manufacturer_rep"])
    page = client_as(rep).get("/pricing/inquiries/").content.decode()
    assert_told_apart(page, product, twin, "/pricing/inquiries/")


def test_api_rows_carry_the_identity(twins, official):
    product, twin, *_ = twins
    client = api_as(official)
    alerts = client.get("/api/v1/price-alerts/").json()["results"]
    assert {a["product_identity"] for a in alerts} == {product_identity(product), product_identity(twin)}
    standards = client.get("/api/v1/payment-standards/", {"status": "published"}).json()
    rows = standards["results"] if isinstance(standards, dict) else standards
    assert len({r["product_identity"] for r in rows}) == 2
    data = client_as(None).get("/api/v1/public/listings/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert len({r["product_identity"] for r in rows}) == 2


def test_opening_record_tells_two_strengths_of_one_maker_apart(world):
    from tests.procurement.test_tender_opening_record import _bids, _open

    own, other, half = _bids(world)
    _open(world)
    page = client_as(world["official"]).get(f"/tenders/{world['tender'].pk}/opening/").content.decode()
    found = identities(page)
    assert found[half.product_id] != found[own.product_id]
    assert any("10mg" in t for t in found[half.product_id]) and any("20mg" in t for t in found[own.product_id])
    (lot,) = api_as(world["official"]).get(f"/api/v1/tenders/{world['tender'].pk}/opening-record/").json()
    named = {b["bid"]: b["product_identity"] for b in lot["bids"]}
    assert "10mg" in named[half.pk] and "20mg" in named[own.pk] and world["makers"][2].name in named[half.pk]
