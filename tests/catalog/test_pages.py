import pytest
from django.test import Client

from tests.catalog.test_search import make


@pytest.mark.django_db
def test_search_page_and_detail_with_vertical_mongolian_name_and_history(purchaser):
    product = make("扎冲十三味丸", "ZA99MNM001B000109100", category="mongolian_patent", name_mn="ᠵᠠᠭᠤᠨ ᠠᠷᠪᠠᠨ ᠭᠤᠷᠪᠠ")
    make("复方丹参片", "ZA04BAL0145010102390", category="chinese_patent")
    client = Client()
    client.force_login(purchaser)
    html = client.get("/catalog/?q=zcss").content.decode()
    assert "扎冲十三味丸" in html and "复方丹参片" not in html
    assert "/catalog/export/?q=zcss" in html
    detail = client.get(f"/catalog/products/{product.pk}/").content.decode()
    assert '<div class="mongolian mongolian-panel" lang="mn-Mong"' in detail and product.name_mn in detail
    assert "蒙药（按甲类管理）" in detail and "甲类" in detail
    assert "变更记录" in detail and "创建" in detail
    assert client.get("/catalog/products/999999/").status_code == 404


@pytest.mark.django_db
def test_search_page_sorts_by_a_column_and_keeps_the_filters_in_the_export_link(purchaser):
    make("阿司匹林肠溶片", "XC10AAA128A001010100002")
    make("布洛芬缓释胶囊", "XC10AAA128A001010100001")
    client = Client()
    client.force_login(purchaser)
    html = client.get("/catalog/?category=chemical").content.decode()
    assert html.index("布洛芬缓释胶囊") < html.index("阿司匹林肠溶片")  # by name until a column is picked
    html = client.get("/catalog/?category=chemical&sort=-nhsa_code").content.decode()
    assert html.index("阿司匹林肠溶片") < html.index("布洛芬缓释胶囊") and 'aria-sort="descending"' in html
    assert "/catalog/export/?category=chemical&amp;sort=-nhsa_code&amp;format=xlsx" in html
