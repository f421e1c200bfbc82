"""Credit records: the schemes as configuration, bad input, bidding bars, repair and quarterly ratings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common.errors import ConflictError, PermissionDeniedError, ValidationFailed
from pricing import credit_schemes
from pricing.errors import PricingError
from pricing.models import CreditRating, CreditRecord
from pricing.services import credit as svc
from procurement import hooks
from tests.factories import ManufacturerFactory, ProductFactory


def make(official, organization, **kw):
    args = {
        "organization": organization,
        "behaviour": "bribery",
        "level": "medium",
        "evidence": "法院判决书（2026）蒙01刑初12号",
        "start": date(2026, 1, 10),
        "by": official,
        "amount": "150000",
    }
    args.update(kw)
    return svc.credit_record_create(**args)


def test_schemes_thresholds():
    s2020, s2025 = credit_schemes.scheme("2020"), credit_schemes.scheme("2025")
    assert [r.name for r in s2020.levels] == ["一般", "中等", "严重", "特别严重"]
    assert [r.name for r in s2025.levels] == ["失信", "严重失信", "特别严重失信"]
    assert svc.amount_suggests_level("2020", "9999") == ""
    assert svc.amount_suggests_level("2020", "100000") == "medium"
    assert svc.amount_suggests_level("2020", "300000") == "serious"
    assert svc.amount_suggests_level("2020", "2000000") == "very_serious"
    assert svc.amount_suggests_level("2025", "600000") == "serious"
    assert svc.amount_suggests_level("2025", "1000000") == "very_serious"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"level": "catastrophic"}, "level", "未知的失信等级"),
        ({"scheme": "2025", "level": "medium"}, "level", "未知的失信等级"),
        ({"scheme": "2019"}, "scheme", "未知的评级规则"),
        ({"end": date(2026, 1, 9)}, "end", "早于开始日期"),
        ({"end": "2025-12-31"}, "end", "早于开始日期"),
        ({"start": "明天"}, "start", "不是日期"),
        ({"behaviour": "littering"}, "behaviour", "未知的失信行为"),
        ({"evidence": " "}, "evidence", "事实与依据"),
        ({"amount": "-1"}, "amount", "负数"),
        ({"level": "serious"}, "products", "涉及产品"),
    ],
)
def test_bad_records_are_refused_and_nothing_is_written(official, manufacturer, change, field, message):
    with pytest.raises(ValidationFailed, match=message) as exc:
        make(official, manufacturer, **change)
    assert exc.value.field == field
    assert not CreditRecord.objects.exists()


def test_only_officials_keep_records_and_only_for_companies(official, manufacturer, manufacturer_rep, hospital):
    with pytest.raises(PermissionDeniedError):
        make(manufacturer_rep, manufacturer)
    with pytest.raises(ValidationFailed, match="生产企业或配送企业") as exc:
        make(official, hospital)
    assert exc.value.code == PricingError.CREDIT_ORGANIZATION_INVALID
    other = ProductFactory(manufacturer=ManufacturerFactory(name="别家药业"))
    with pytest.raises(ValidationFailed) as exc:
        make(official, manufacturer, level="serious", products=[other])
    assert exc.value.code == PricingError.PRODUCTS_OF_ANOTHER_COMPANY and exc.value.field == "products"
    assert not CreditRecord.objects.exists()


def test_serious_records_bar_bidding_lower_ones_warn_only(official, manufacturer):
    tender = type("T", (), {"opening_at": timezone.now()})()
    make(official, manufacturer, level="medium")
    assert hooks.barred_manufacturer_ids(tender) == set()
    product = ProductFactory(manufacturer=manufacturer)
    serious = make(official, manufacturer, level="serious", products=[product], amount="400000")
    assert hooks.barred_manufacturer_ids(tender) == {manufacturer.pk}
    svc.credit_record_repair(record=serious, note="已整改并公开承诺", by=official)
    assert hooks.barred_manufacturer_ids(tender) == set()
    with pytest.raises(ConflictError):
        svc.credit_record_repair(record=serious, note="再次", by=official)
    with pytest.raises(ValidationFailed):
        svc.credit_record_repair(record=make(official, manufacturer), note="", by=official)


def test_records_end_on_their_date_and_start_on_theirs(official, manufacturer):
    today = timezone.localdate()
    ending = make(official, manufacturer, start=today - timedelta(days=30), end=today - timedelta(days=1))
    future = make(official, manufacturer, start=today + timedelta(days=5))
    result = svc.credit_records_maintain(today=today)
    assert result["ended"] == 1
    assert CreditRecord.objects.get(pk=ending.pk).status == "ended"
    assert CreditRecord.objects.get(pk=future.pk).status == "active"


def test_quarterly_rating_takes_the_most_serious_record_of_the_quarter(official, manufacturer):
    other = ManufacturerFactory(name="乙药业")
    product = ProductFactory(manufacturer=manufacturer)
    make(official, manufacturer, level="general", start=date(2026, 2, 1))
    make(official, manufacturer, level="serious", products=[product], start=date(2026, 3, 15))
    make(official, other, level="general", start=date(2026, 1, 5), end=date(2026, 3, 1))
    rated = svc.credit_rate_quarter(day=date(2026, 2, 20))
    assert rated == 2
    q1 = {r.organization_id: r for r in CreditRating.objects.filter(quarter_start=date(2026, 1, 1))}
    assert q1[manufacturer.pk].level == "serious" and q1[manufacturer.pk].active_records == 2
    assert q1[other.pk].level == "general"
    assert svc.credit_rate_quarter(day=date(2026, 5, 1)) == 1  # the other's record ended in Q1
    assert svc.quarter_of(date(2026, 11, 23)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert CreditRecord.objects.filter(amount=Decimal("150000.00")).count() == 3
