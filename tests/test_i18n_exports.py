"""xlsx exports of the pages follow the user's language in their column headers; the NHSA import/export layout is
a file format and keeps its Chinese headers whatever the language."""

import re

import pytest

from tests.utils import client_as, xlsx_rows

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3400-\u9fff]")


def _client(user, language=None):
    return client_as(user, language)


def _headers(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    if not response.streaming:
        from io import BytesIO

        from openpyxl import load_workbook

        return [str(h) for h in next(load_workbook(BytesIO(response.content)).active.values)]
    return [str(h) for h in xlsx_rows(response)[0]]


def test_a_table_export_has_english_headers_in_english(official, hospital):
    chinese = _headers(_client(official).get("/accounts/organizations/?format=xlsx"))
    english = _headers(_client(official, "en").get("/accounts/organizations/?format=xlsx"))
    assert chinese[0] == "机构名称" and english[0] == "Name"
    assert not any(CJK.search(h) for h in english), english


def test_the_order_export_has_english_headers_and_values_in_english():
    from tests.procurement.ordering import build_world

    w = build_world()
    chinese = _headers(_client(w.buyer).get("/orders/export/"))
    english = _headers(_client(w.buyer, "en").get("/orders/export/"))
    assert chinese[0] == "订单编号" and len(english) == len(chinese)
    assert not any(CJK.search(h) for h in english), english


def test_settlement_report_exports_have_english_headers():
    from tests.settlement.world import world_with_statement

    w, s, _month = world_with_statement(packs=3)
    for url in (
        f"/settlement/{s.pk}/?format=xlsx",
        "/settlement/overdue/?format=xlsx",
        "/settlement/balances/?format=xlsx",
        f"/settlement/reconciliation/?period={s.period:%Y-%m}&format=xlsx",
        f"/settlement/retained-savings/?tender={w.tender.pk}&format=xlsx",
    ):
        english = _headers(_client(w.fund_officer, "en").get(url))
        assert not any(CJK.search(h) for h in english), (url, english)
        assert any(CJK.search(h) for h in _headers(_client(w.fund_officer).get(url))), url


def test_the_nhsa_layout_export_stays_chinese_in_english(purchaser):
    from catalog.layouts import get_layout
    from tests.factories import ProductFactory

    ProductFactory()
    wanted = [c.header for c in get_layout("nhsa").columns]
    response = _client(purchaser, "en").get("/catalog/export/", {"layout": "nhsa", "format": "xlsx"})
    assert response.status_code == 200
    assert [str(h) for h in xlsx_rows(response)[0]][: len(wanted)] == wanted
