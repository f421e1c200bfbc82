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
        "approval_number": {
            "chemical": "国药准字H20067255",
            "chinese_patent": "国药准字Z20025001",
            "mongolian_patent": "国药准字Z15020345",
        }.get(category, ""),
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
        "mongolian": make(
            "扎冲十三味丸",
            "ZA99MNM001B000109100",
            category="mongolian_patent",
            name_mn="ᠵᠠᠭᠤᠨ ᠠᠷᠪᠠᠨ ᠭᠤᠷᠪᠠ",
            maker=other,
        ),
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
def test_the_fallback_ranks_by_distance_counts_a_swap_as_two_and_keeps_the_filters(world):
    assert names(q="ffdsq") == ["复方丹参片", "复方丹参滴丸"]  # ffdsp at 1, ffdsdw at 2
    assert names(q="fdfsp")[0] == "复方丹参片"  # two letters swapped: distance 2
    assert names(q="fdfspx") == []  # a swap and one more slip: 3
    assert names(q="fgdssp", category="chemical") == []
    assert names(q="fgdssp", category="chinese_patent")[0] == "复方丹参片"


@pytest.mark.django_db
def test_no_fallback_rows_when_the_query_matches(world):
    # 复方丹参滴丸 (ffdsdw) is within distance 2 of ffdsp, but ffdsp matches 复方丹参片 itself
    assert names(q="ffdsp") == ["复方丹参片"]


@pytest.mark.django_db
def test_what_a_search_costs_in_statements(world, django_assert_num_queries):
    # the search, after a probe for any match when the query may be initials (and then the fallback in place of the
    # search)
    for q, statements in (("阿司", 1), ("ffdsp", 2), ("fgdssp", 2)):
        with django_assert_num_queries(statements):
            list(product_search(user=None, q=q)[:20])


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
    params = search_params(
        {
            "q": " ffdsp ",
            "category": "bogus",
            "insurance_class": "none",
            "high_value": "1",
            "manufacturer": "7",
            "active": "",
        }
    )
    assert params == {
        "q": "ffdsp",
        "category": None,
        "insurance_class": "",
        "high_value": True,
        "shortage": None,
        "manufacturer_id": 7,
        "active": True,
    }


@pytest.fixture
def danshen_family(db):
    # In code-point order 滴 < 片 < 颗. By trigram similarity to 复方丹参 the shortest name comes first.
    return [
        make(name, f"ZA04BAL{index:04d}010102390", category="chinese_patent")
        for index, name in enumerate(["复方丹参颗粒剂型", "复方丹参片", "复方丹参滴丸"], start=200)
    ]


@pytest.mark.django_db
def test_ties_are_ranked_by_trigram_similarity(danshen_family):
    results = list(product_search(user=None, q="复方丹参"))
    assert [p.generic_name for p in results] == ["复方丹参片", "复方丹参滴丸", "复方丹参颗粒剂型"]
    assert results[0].similarity > results[1].similarity > results[2].similarity > 0
    assert [p.generic_name for p in product_search(user=None, q="fufangdanshen")] == [
        "复方丹参片",
        "复方丹参滴丸",
        "复方丹参颗粒剂型",
    ]  # by the full pinyin's similarity


@pytest.mark.django_db
def test_results_are_paginated_in_the_api_and_the_page(purchaser, danshen_family):
    from tests.utils import api_as

    client = api_as(purchaser)
    first = client.get("/api/v1/products/", {"q": "复方丹参", "page_size": 2}).json()
    second = client.get("/api/v1/products/", {"q": "复方丹参", "page_size": 2, "page": 2}).json()
    assert first["count"] == second["count"] == 3
    codes = [p["nhsa_code"] for p in first["results"] + second["results"]]
    assert sorted(codes) == sorted(p.nhsa_code for p in danshen_family)
    assert first["next"] and second["next"] is None


@pytest.mark.django_db
def test_one_or_two_letters_match_the_start_of_the_pinyin_three_or_more_anywhere(world):
    assert set(names(q="ff")) == {"复方丹参片", "复方丹参滴丸"}
    assert names(q="fd") == []  # inside 复方丹参's initials ffdsp, but too short to be looked for inside
    assert set(names(q="fds")) == {"复方丹参片", "复方丹参滴丸"}  # from three letters, anywhere in the initials
    assert names(q="danshenpian") == ["复方丹参片"]  # and in the full pinyin
    assert names(q="片\n复") == []  # one name's end and the next one's start are not a match


@pytest.mark.django_db
def test_the_search_text_follows_every_change_of_a_name(world):
    product = world["atorva"]
    assert names(q="立普妥") == []
    services.product_update(product=product, trade_name="立普妥", generic_name="阿托伐他汀钙胶囊")
    assert names(q="立普妥") == ["阿托伐他汀钙胶囊"]
    assert names(q="atfttgjn") == ["阿托伐他汀钙胶囊"]
    assert names(q="他汀钙片") == []


@pytest.mark.django_db
def test_wildcards_in_a_query_are_taken_literally(world):
    make("复方50%丹参片", "ZA04BAL0147010102390", category="chinese_patent", trade_name="丹_参")
    maker = ManufacturerFactory(name="百分之50%制药有限公司")
    make("维生素C片", "XA11GAW001A001010100483", maker=maker)
    assert names(q="50%") == ["复方50%丹参片", "维生素C片"]  # in a name, and in a maker's name
    assert names(q="丹_") == ["复方50%丹参片"]  # the trade name's prefix, not any character after 丹
    assert names(q="%") == ["复方50%丹参片", "维生素C片"]
    assert names(q="XA11G_W") == []  # a code prefix is a prefix, not a pattern


@pytest.mark.django_db
def test_a_list_of_search_results_reads_its_page_in_one_query(world, django_assert_num_queries):
    from catalog.selectors import as_product_list

    with django_assert_num_queries(1):
        page = list(as_product_list(product_search(user=None, q="阿"))[:20])
    with django_assert_num_queries(0):  # every column a list shows is there, the maker's name too
        shown = [
            (
                p.nhsa_code,
                p.generic_name,
                p.trade_name,
                p.specification,
                p.pack_size,
                p.min_unit,
                p.pack_unit,
                p.manufacturer.name,
                p.get_category_display(),
                p.get_insurance_class_display(),
                p.high_value,
                p.shortage,
                p.negotiated,
                p.consistency_evaluated,
                p.is_active,
                p.name_mn,
                p.dosage_form,
            )
            for p in page
        ]
    assert [row[1] for row in shown] == ["阿司匹林肠溶片", "阿托伐他汀钙片"]
