import pytest
from django.core.exceptions import ValidationError

from catalog.names import (
    HERBAL_READINGS,
    mongolian_problem,
    normalize_mongolian,
    pinyin_full,
    pinyin_initials,
    search_keys,
    validate_mongolian,
)


@pytest.mark.parametrize(
    "name, full, initials",
    [
        ("复方丹参片", "fufangdanshenpian", "ffdsp"),
        ("重楼", "chonglou", "cl"),
        ("重楼解毒酊", "chongloujieduding", "cljdd"),
        ("莪术油注射液", "ezhuyouzhusheye", "ezyzsy"),
        ("苍术", "cangzhu", "cz"),
        ("阿司匹林肠溶片", "asipilinchangrongpian", "asplcrp"),
        ("维生素B12片", "weishengsub12pian", "wssb12p"),
        ("0.9%氯化钠注射液", "09lvhuanazhusheye", "09lhnzsy"),
        ("女贞子", "nvzhenzi", "nzz"),
    ],
)
def test_pinyin(name, full, initials):
    assert pinyin_full(name) == full
    assert pinyin_initials(name) == initials
    assert search_keys(name) == {"pinyin": full, "initials": initials}


@pytest.mark.parametrize("phrase, reading", sorted(HERBAL_READINGS.items()))
def test_every_herbal_override_is_applied(phrase, reading):
    assert pinyin_full(phrase) == reading.replace(" ", "")


@pytest.mark.parametrize(
    "text",
    ["ᠮᠣᠩᠭᠣᠯ ᠡᠮ", "ᠮᠣᠩᠭᠣᠯ\u202fᠡᠮ", "ᠡ\u180bᠮ", "ᠰᠠᠷᠠᠨ\u180eᠡ", ""],
)
def test_valid_mongolian(text):
    assert mongolian_problem(text) is None
    validate_mongolian(text)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("abc", "拉丁字母“a”"),
        ("ᠮᠣᠩᠭᠣᠯ abc", "拉丁字母"),
        ("Монгол", "西里尔字母“М”"),
        ("蒙药", "汉字"),
        ("ᠮᠣᠩ1", "数字"),
        ("   ", "不能只有空格"),
        ("\u180b\u180c", "应包含蒙古文字母"),
        ("ᠮᠣᠩ\tᠭᠣᠯ", "空白字符"),
    ],
)
def test_invalid_mongolian_names_the_character(text, fragment):
    problem = mongolian_problem(text)
    assert problem is not None and fragment in problem, problem
    with pytest.raises(ValidationError):
        validate_mongolian(text)


def test_normalize_mongolian_collapses_spaces():
    assert normalize_mongolian("  ᠮᠣᠩᠭᠣᠯ   ᠡᠮ ") == "ᠮᠣᠩᠭᠣᠯ ᠡᠮ"
