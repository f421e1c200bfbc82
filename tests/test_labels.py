"""Every input of the main pages of each portal has a name for assistive technology: a <label for>, a wrapping
<label>, aria-label or aria-labelledby (hidden fields and buttons excepted). The pages are rendered with the
factory worlds of the ordering, settlement, tender and price-monitoring tests."""

from html.parser import HTMLParser

import pytest

from tests.utils import client_as

pytestmark = pytest.mark.django_db
SKIP_TYPES = {"hidden", "submit", "button", "reset", "image"}


class Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields, self.label_for, self.label_depth = [], set(), 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea") and (a.get("type") or "").lower() not in SKIP_TYPES:
            self.fields.append((tag, a, self.label_depth > 0))

    def handle_endtag(self, tag):
        if tag == "label" and self.label_depth:
            self.label_depth -= 1

    def unlabelled(self) -> list[str]:
        return [
            f"<{tag} name={a.get('name')!r} id={a.get('id')!r}>"
            for tag, a, wrapped in self.fields
            if not (wrapped or a.get("aria-label") or a.get("aria-labelledby") or a.get("id") in self.label_for)
        ]


def unlabelled(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = Inputs()
    parser.feed(response.content.decode())
    return [f"{url}: {f}" for f in parser.unlabelled()]


def as_user(user=None):
    return client_as(user)


def test_login_page():
    assert not unlabelled(as_user(), "/accounts/login/")


def test_purchaser_and_distributor_pages():
    from procurement.models import PurchaseOrder
    from tests.procurement.ordering import build_world

    w = build_world()
    buyer, dist = as_user(w.buyer), as_user(w.dist_rep)
    buyer.post("/orders/cart/add/", {"listing": w.listing.pk, "distributor": w.distributor.pk, "packs": "2"})
    draft = PurchaseOrder.objects.get()
    missing = [
        m
        for url in (
            "/",
            "/orders/search/?q=阿托伐他汀",
            "/orders/cart/",
            "/orders/",
            "/orders/deliveries/",
            "/orders/offplatform/",
            "/orders/online-share/",
            "/progress/hospital/",
            "/inbox/",
            "/tenders/",
            "/catalog/",
            "/settlement/",
        )
        for m in unlabelled(buyer, url)
    ]
    buyer.post(
        "/orders/cart/",
        {"order": draft.pk, "version": draft.version, f"packs-{draft.lines.get().pk}": "2", "action": "submit"},
    )
    order = PurchaseOrder.objects.get()
    missing += unlabelled(buyer, f"/orders/{order.pk}/") + unlabelled(dist, f"/orders/{order.pk}/")
    missing += unlabelled(dist, "/orders/incoming/")
    dist.post(f"/orders/{order.pk}/", {"action": "accept", "version": order.version})
    missing += unlabelled(dist, f"/orders/{order.pk}/")  # the shipping form
    assert not missing, missing


def test_settlement_pages_of_hospital_manufacturer_and_fund():
    from tests.settlement.world import world_with_statement

    w, s, period = world_with_statement()
    url = f"/settlement/{s.pk}/"
    missing = unlabelled(as_user(w.maker_rep), url)  # claim form
    as_user(w.maker_rep).post(url, {"action": "claim", "invoice_numbers": "12345678"})
    missing += unlabelled(as_user(w.hospital_user), url)  # confirm / dispute form
    as_user(w.hospital_user).post(url, {"action": "review"})
    fund = as_user(w.fund_officer)
    fund.post("/settlement/", {"statement_ids": [s.pk], "confirm": "1"})
    for page in (
        url,
        "/settlement/",
        "/settlement/overdue/",
        "/settlement/payments/import/",
        "/settlement/balances/",
        f"/settlement/reconciliation/?period={period:%Y-%m}",
        "/settlement/retained-savings/",
    ):
        missing += unlabelled(fund, page)
    missing += unlabelled(as_user(w.maker_rep), f"/tenders/{w.tender.pk}/")
    assert not missing, missing


def test_official_pages(official, peer_world):
    from pricing.models import PriceAlert
    from pricing.services.scan import price_scan_run

    price_scan_run(full=True)
    client = as_user(official)
    urls = [
        "/",
        "/pricing/alerts/",
        "/pricing/credit/",
        "/pricing/imports/",
        "/pricing/shortages/",
        "/catalog/",
        "/catalog/imports/",
        "/catalog/imports/new/",
        "/accounts/organizations/",
        "/tenders/",
        "/tenders/new/",
        "/progress/",
        "/orders/online-share/",
    ]
    alert = PriceAlert.objects.first()
    if alert is not None:
        urls.append(f"/pricing/alerts/{alert.pk}/")
    missing = [m for url in urls for m in unlabelled(client, url)]
    assert not missing, missing


def test_tender_pages_of_manufacturer_and_hospital(world):
    from procurement.services import tenders as svc
    from tests.fixtures.tenders import to_bidding

    svc.tender_start_demand_collection(tender=world["tender"], by=world["official"])
    t = world["tender"]
    missing = unlabelled(as_user(world["buyers"][0]), f"/tenders/{t.pk}/")  # demand form
    missing += unlabelled(as_user(world["buyers"][0]), f"/tenders/{t.pk}/demand/import/")

    to_bidding(world)
    missing += unlabelled(as_user(world["reps"][0]), f"/tenders/{t.pk}/")  # bid form
    missing += unlabelled(as_user(world["official"]), f"/tenders/{t.pk}/")
    assert not missing, missing
