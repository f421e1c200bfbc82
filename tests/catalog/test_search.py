"""The one catalog search: every key, filters, ranking, typo tolerance for pinyin initials."""

import pytest

from catalog import services
from catalog.selectors import product_search, search_params
from tests.factories import ManufacturerFactory


def make(generic, code, category="chemical", **extra):
    maker = extra.pop("maker", None) or ManufacturerFactory(name="搜索测试制药有限公司")
    fields = {
        "category": category,
        "nhsa_code": code,
        "generic_name": generic,
        "pack_size": 24,
        "min_unit": "片",
        "pack_unit": "盒",
        "manufacturer_id": maker.pk,
        "approval_number": {"chemical": "国药准字H20067255", "chinese_patent": "国药准字Z20025001",
                            "mongolian_patent": "国药准字Z15020345"}.get(category, ""),
    }
    fields.update(extra)
    return services.product_create(**fields)


@pytest.fixture
def world(db):
    other = ManufacturerFactory(name="草原蒙药检索有限公司")
    return {
        "danshen": make("复方丹参片", "ZA04BAL0145010102390", category="chinese_patent"),
        "dripping": make("复方丹参滴丸", "ZA04BAL0146010102390", category="chinese_patent"),
        "aspirin": make("阿司匹林肠溶片", "XB01ACA014AB01010100483", trade_name="拜阿司"),
        "atorva": make("阿托伐他汀钙片", "XC10AAA128A001010100483"),
        "mongolian": make("扎冲十三味丸", "ZA99MNM001B000109100", category="mongolian_patent",
                          name_mn="ᠵᠠᠭᠤᠨ ᠠᠷᠪᠠᠨ ᠭᠤᠷᠪᠠ", maker=other),
    }


def names(**kwargs):
    return [p.generic_name for p in product_search(user=None, **kwargs)]


@pytest.mark.django_db
def test_pinyin_initials_find_the_product_first(world):
    assert names(q="ffdsp")[0] == "复方丹参片"
    assert names(q="FFDSP")[0] == "复方丹参片"
    assert set(names(q="ffds")) == {"复方丹参片", "复方丹参滴丸"}


@pytest.mark.django_db
def test_a_slip_in_the_initials_is_tolerated_when_nothing_matches_exactly(world):
    assert names(q="fgdssp")[0] == "复方丹参片"
    assert names(q="zzzzzz") == []


@pytest.mark.django_db
def test_full_pinyin_chinese_substring_trade_name_and_code_prefix(world):
    assert set(names(q="fufangdanshen")) == {"复方丹参片", "复方丹参滴丸"}
    assert names(q="他汀") == ["阿托伐他汀钙片"]
    assert names(q="拜阿司") == ["阿司匹林肠溶片"]
    assert names(q="XC10AA") == ["阿托伐他汀钙片"]
    assert names(q="ｘｃ10ａａ") == ["阿托伐他汀钙片"]  # full-width and lower case normalised


@pytest.mark.django_db
def test_exact_code_ranks_first(world):
    assert names(q="ZA04BAL0146010102390")[0] == "复方丹参滴丸"


@pytest.mark.django_db
def test_mongolian_name_and_manufacturer(world):
    assert names(q="ᠠᠷᠪᠠᠨ") == ["扎冲十三味丸"]
    assert names(q="草原蒙药检索") == ["扎冲十三味丸"]


@pytest.mark.django_db
def test_filters(world):
    assert set(names(category="chinese_patent")) == {"复方丹参片", "复方丹参滴丸"}
    assert names(insurance_class="A") == ["扎冲十三味丸"]  # Mongolian medicines are class A by rule
    assert names(q="阿", manufacturer_id=world["mongolian"].manufacturer_id) == []
    services.product_set_active(product=world["atorva"], active=False)
    assert "阿托伐他汀钙片" not in names()
    assert "阿托伐他汀钙片" in names(active=None)


def test_search_params_parse_the_query_string():
    params = search_params({"q": " ffdsp ", "category": "bogus", "insurance_class": "none", "high_value": "1",
                            "manufacturer": "7", "active": ""})
    assert params == {"q": "ffdsp", "category": None, "insurance_class": "", "high_value": True, "shortage": None,
                      "manufacturer_id": 7, "active": True}
