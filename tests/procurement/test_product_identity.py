"""Products people can tell apart: the one identity (name, strength, form, pack, maker, Mongolian name) on the cart,
the order, the ship and receive forms, the 挂网采购 page, the bid and demand dropdowns and the API."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template

from catalog.identity import product_choices, product_identity
from procurement.forms_tenders import DemandForm
from procurement.models import DistributionAuthorization
from procurement.services import orders as svc
from tests.factories import (
    DistributionAuthorizationFactory,
    ListingFactory,
    ManufacturerFactory,
    ProductFactory,
    UserFactory,
)
from tests.utils import api_as

from .ordering import build_world

pytestmark = pytest.mark.django_db


def _twin(w, *, maker_name="另一制药有限公司", pack_size=28):
    """The same generic name and strength as w.listing's product, from another maker, in a bigger pack."""
    other = ManufacturerFactory(name=maker_name)
    base = w.listing.product
    product = ProductFactory(
        manufacturer=other, generic_name=base.generic_name, specification=base.specification, pack_size=pack_size
    )
    DistributionAuthorizationFactory(product=product, distributor=w.distributor)
    return ListingFactory(product=product, unit_price=Decimal("0.8486"), pack_price=Decimal("23.76"))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_identity_names_strength_pack_and_maker():
    product = ProductFactory(generic_name="格列美脲片", specification="1mg", pack_size=30, name_mn="ᠭᠯᠢᠮᠸᠷᠢᠳ")
    text = product_identity(product)  # the manufacturer is loaded by the factory
    assert text.startswith("格列美脲片 1mg ×30片/盒 · ")
    assert product.manufacturer.name in text
    html = Template("{% load products %}{% product p %}").render(Context({"p": product}))
    assert 'lang="mn-Mong"' in html and "ᠭᠯᠢᠮᠸᠷᠢᠳ" in html and "×30片/盒" in html


def test_dropdown_options_never_repeat():
    maker = ManufacturerFactory(name="同名制药")
    same = [
        ProductFactory(manufacturer=maker, generic_name="格列美脲片", specification="1mg", pack_size=2) for _ in "ab"
    ]
    other_pack = ProductFactory(manufacturer=maker, generic_name="格列美脲片", specification="1mg", pack_size=30)
    labels = [label for _, label in product_choices([*same, other_pack])]
    assert len(set(labels)) == 3
    assert same[0].nhsa_code in labels[0] and "×2片/盒" in labels[0] and "×30片/盒" in labels[2]
    form = DemandForm(products=[*same, other_pack])
    options = [label for value, label in form.fields["named_product"].choices if value]
    assert len(set(options)) == len(options) == 3


def test_cart_tells_two_products_of_the_same_name_apart(client):
    w = build_world()
    twin = _twin(w)
    svc.cart_add(by=w.buyer, listing=w.listing, distributor=w.distributor, packs=1)
    svc.cart_add(by=w.buyer, listing=twin, distributor=w.distributor, packs=1)
    client.force_login(w.buyer)
    page = client.get("/orders/cart/").content.decode()
    rows = re.findall(r'<tr data-line="\d+">(.*?)</tr>', page, re.S)
    assert len(rows) == 2
    texts = [_text(r) for r in rows]
    assert any("×12片/盒" in t and "订单测试制药有限公司" in t for t in texts)
    assert any("×28片/盒" in t and "另一制药有限公司" in t and "¥23.76" in t for t in texts)


def test_order_page_ship_form_and_api_show_the_identity(client):
    w = build_world()
    twin = _twin(w)
    order = svc.order_create(
        by=w.buyer,
        distributor=w.distributor,
        lines=[{"listing": w.listing.pk, "packs": 2}, {"listing": twin.pk, "packs": 3}],
        submit=True,
    )
    svc.order_accept(order=order, by=w.dist_rep)
    client.force_login(w.dist_rep)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    ship_rows = [_text(r) for r in re.findall(r'<tr data-ship-line="\d+">(.*?)</tr>', page, re.S)]
    assert len(ship_rows) == 2 and ship_rows[0] != ship_rows[1]
    assert any("另一制药有限公司" in t and "×28片/盒" in t for t in ship_rows)
    lines = api_as(w.buyer).get(f"/api/v1/orders/{order.pk}/").json()["lines"]
    identities = {line["product_identity"] for line in lines}
    assert len(identities) == 2 and any("×28片/盒 · 另一制药有限公司" in i for i in identities)


def test_listing_search_filters_by_category_sorts_and_paginates(client):
    w = build_world()
    twin = _twin(w)
    client.force_login(w.buyer)
    page = client.get("/orders/search/", {"sort": "-pack_price"}).content.decode()
    order = re.findall(r'<tr data-listing="(\d+)">', page)
    assert order[0] == str(w.listing2.pk) and str(twin.pk) in order  # ¥24.69 first, then ¥23.76
    assert 'aria-sort="descending"' in page
    assert 'class="maker"' in page and 'class="narrow"' in page
    none = client.get("/orders/search/", {"category": "consumable"}).content.decode()
    assert not re.findall(r'<tr data-listing="(\d+)">', none)
    bad = client.get("/orders/search/", {"category": "no-such"})
    assert bad.status_code == 200  # an unknown category is no filter, not an error


def test_catalog_page_shows_listings_with_why_not_and_add_to_cart(client):
    w = build_world()
    suspended = ListingFactory(product=w.listing.product, status="suspended", status_reason="价格异常核查中")
    client.force_login(w.buyer)
    page = client.get(f"/catalog/products/{w.listing.product_id}/").content.decode()
    assert 'data-panel="listings"' in page
    row = re.search(rf'<tr data-listing="{w.listing.pk}".*?</tr>', page, re.S).group(0)
    assert "可采购" in row and 'name="distributor"' in row and "¥6.00" in row
    row = re.search(rf'<tr data-listing="{suspended.pk}".*?</tr>', page, re.S).group(0)
    assert "价格异常核查中" in row and "cart-add" not in row and 'name="packs"' not in row
    response = client.post(
        "/orders/cart/add/",
        {
            "listing": w.listing.pk,
            "distributor": w.distributor.pk,
            "packs": "2",
            "next": f"/catalog/products/{w.listing.product_id}/",
        },
    )
    assert response.status_code == 302 and response.url == f"/catalog/products/{w.listing.product_id}/"
    assert w.hospital.purchase_orders.filter(status="draft").count() == 1


def test_catalog_page_for_a_hospital_without_an_authorised_distributor_says_why(client):
    w = build_world()
    client.force_login(w.buyer)
    DistributionAuthorization.objects.filter(product=w.listing.product).update(is_active=False)
    page = client.get(f"/catalog/products/{w.listing.product_id}/").content.decode()
    assert "本地区无授权配送企业" in page


def test_catalog_page_shows_listings_to_a_manufacturer_without_the_cart(client):
    w = build_world()
    client.force_login(UserFactory(organization=w.manufacturer, roles=["manufacturer_rep"]))
    page = client.get(f"/catalog/products/{w.listing.product_id}/").content.decode()
    assert 'data-panel="listings"' in page and 'name="packs"' not in page
