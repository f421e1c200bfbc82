"""Fixtures of the pricing tests used by more than one module (the price world is in tests/fixtures/prices.py)."""

import pytest


@pytest.fixture
def good_rows(product, hospital):
    code = product.nhsa_code
    return [
        f"{code},医疗机构线下采购,2026-03-01,1.25,片,100,{hospital.uscc},",
        f"{code},外省价格,2026-03-02,14.40,盒,2,,吉林",  # a pack price: 14.40 / 12 tablets
        f"{code},零售药店调查,2026/03/03,1.50,片,,,",
    ]
