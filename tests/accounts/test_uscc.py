import random

import pytest
from django.core.exceptions import ValidationError

from accounts.uscc import CHARSET, WEIGHTS, check_character, make_uscc, uscc_problem, validate_uscc

VALID = [
    "91350100M000100Y43",  # the worked example of GB 32100-2015
    "91110000600037341L",
    "12100000400000624D",
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert uscc_problem(code) is None
    validate_uscc(code)


def test_weights_are_powers_of_three_mod_31():
    assert WEIGHTS[:5] == [1, 3, 9, 27, 19]
    assert len(CHARSET) == 31 and not set("IOZSV") & set(CHARSET)


def test_generated_codes_are_valid_and_carry_the_division_code():
    rng = random.Random(1)
    for _ in range(200):
        code = make_uscc(rng, division_code="150500")
        assert uscc_problem(code) is None
        assert code[2:8] == "150500"


@pytest.mark.parametrize(
    "code, fragment",
    [
        ("", "不能为空"),
        ("91350100M000100Y4", "应为 18 位，当前为 17 位"),
        ("91350100M000100Y433", "应为 18 位，当前为 19 位"),
        ("91350100M000100I43", "第 16 位“I”不是允许的字符"),
        ("91350100M000100O43", "第 16 位“O”不是允许的字符"),
        ("91350100M00010-Y43", "第 15 位“-”不是允许的字符"),
        ("91350100M000100Y44", "校验位错误：第 18 位应为“3”，实际为“4”"),
        ("91350100m000100y43", "字母必须大写"),
        ("９１350100M000100Y43", "全角字符"),
        ("91350100M000100Y4３", "全角字符"),
        (" 91350100M000100Y43", "不能包含空格"),
        ("91ABCDEFM000100Y43", "第 3-8 位应为行政区划代码"),
    ],
)
def test_each_kind_of_wrong_code_has_its_own_message(code, fragment):
    problem = uscc_problem(code)
    assert problem is not None and fragment in problem
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert fragment in exc.value.messages[0]


def test_every_single_character_change_is_caught():
    code = VALID[0]
    for position in range(17):
        for replacement in CHARSET:
            if replacement == code[position]:
                continue
            changed = code[:position] + replacement + code[position + 1 :]
            if position in range(2, 8) and not replacement.isdigit():
                continue  # caught by the division-code rule instead
            assert uscc_problem(changed) is not None, changed


def test_check_character_of_the_standard_example():
    assert check_character("91350100M000100Y4") == "3"
