"""The statement cycle (SETTLEMENT_CYCLE): monthly, semi-monthly or weekly periods, their statements, and the warning
when the cycle cannot meet the 30-day payment deadline (国办发〔2021〕2号)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.checks import run_checks
from django.test import Client, override_settings
from django.utils import timezone

from settlement import cycle
from settlement.errors import SettlementError, ValidationFailed
from settlement.generation import generate_statements
from settlement.models import SettlementRun, SettlementStatement
from settlement.tasks import generate_monthly
from tests.settlement.world import build_world, receive


@pytest.mark.parametrize(
    ("cycle_name", "day", "start", "end", "code"),
    [
        ("monthly", date(2026, 2, 14), date(2026, 2, 1), date(2026, 3, 1), "202602"),
        ("semimonthly", date(2026, 2, 15), date(2026, 2, 1), date(2026, 2, 16), "202602A"),
        ("semimonthly", date(2026, 2, 16), date(2026, 2, 16), date(2026, 3, 1), "202602B"),
        ("weekly", date(2026, 11, 4), date(2026, 11, 2), date(2026, 11, 9), "2026W45"),
        ("weekly", date(2026, 1, 1), date(2025, 12, 29), date(2026, 1, 5), "2026W01"),  # ISO week of the new year
    ],
)
def test_periods_and_their_codes(cycle_name, day, start, end, code):
    period = cycle.period_containing(day, cycle_name)
    assert (period.start, period.end, period.code) == (start, end, code)
    assert period.last_day == end - timedelta(days=1)


def test_the_claim_is_due_the_claim_day_after_the_period():
    assert cycle.period_containing(date(2026, 10, 20), "monthly").claim_due(5) == date(2026, 11, 5)
    assert cycle.period_containing(date(2026, 11, 4), "weekly").claim_due(5) == date(2026, 11, 13)


def test_ended_periods_are_the_latest_ended_ones_newest_first():
    periods = cycle.ended_periods(date(2026, 11, 4), 3, "weekly")
    assert [p.start for p in periods] == [date(2026, 10, 26), date(2026, 10, 19), date(2026, 10, 12)]
    assert cycle.last_ended(date(2026, 11, 16), "semimonthly").start == date(2026, 11, 1)


@pytest.mark.parametrize(
    ("cycle_name", "total", "meets"), [("monthly", 42, False), ("semimonthly", 27, True), ("weekly", 18, True)]
)
def test_the_worst_case_against_the_30_days(cycle_name, total, meets):
    worst = cycle.worst_case(cycle_name)
    assert worst.total_days == total and worst.meets_deadline is meets
    if not meets:
        assert "42 天" in worst.message and "30 天" in worst.message


@override_settings(SETTLEMENT_CYCLE="fortnightly")
def test_an_unknown_cycle_is_a_system_check_error():
    assert "settlement.E003" in {e.id for e in run_checks()}


@pytest.mark.django_db
@override_settings(SETTLEMENT_CYCLE="weekly")
def test_weekly_statements_one_per_week_with_their_own_deadlines():
    world = build_world()
    today = timezone.localdate()
    this_week = cycle.period_containing(today, "weekly")
    week_a = cycle.period_containing(this_week.start - timedelta(days=14), "weekly")
    week_b = cycle.period_containing(this_week.start - timedelta(days=7), "weekly")
    receive(world, packs=2, on=week_a.start + timedelta(days=1))
    receive(world, packs=3, on=week_b.start + timedelta(days=4))
    generate_statements(month=week_a.start)
    generate_statements(month=week_b.start.isoformat())
    statements = list(SettlementStatement.objects.filter(hospital=world.hospital).order_by("period"))
    assert [(s.period, s.period_end) for s in statements] == [
        (week_a.start, week_a.last_day),
        (week_b.start, week_b.last_day),
    ]
    assert statements[0].number.startswith(f"JS{week_a.code}") and statements[1].line_count == 1
    assert statements[1].claim_due_on == week_b.end + timedelta(days=4)
    assert statements[0].period_label == f"{week_a.start:%Y-%m-%d} – {week_a.last_day:%m-%d}"
    with pytest.raises(ValidationFailed) as err:  # the running week has not ended
        generate_statements(month=today)
    assert err.value.code == SettlementError.MONTH_NOT_ENDED


@pytest.mark.django_db
@override_settings(SETTLEMENT_CYCLE="weekly")
def test_the_daily_job_builds_the_last_ended_week_once():
    world = build_world()
    week = cycle.last_ended(timezone.localdate(), "weekly")
    receive(world, packs=2, on=week.start)
    first = generate_monthly.apply().get()
    assert first["statements"] == 1
    again = generate_monthly.apply().get()
    assert again["skipped"] == "already built"
    assert SettlementRun.objects.filter(period=week.start).count() == 1


@pytest.mark.django_db
def test_the_fund_list_warns_when_the_cycle_cannot_meet_the_deadline():
    world = build_world()
    client = Client()
    client.force_login(world.fund_officer)
    monthly = client.get("/settlement/").content.decode()
    assert "data-cycle-warning" in monthly and "超过验收后 30 天的付款期限" in monthly
    with override_settings(SETTLEMENT_CYCLE="weekly"):
        weekly = client.get("/settlement/").content.decode()
    assert "data-cycle-warning" not in weekly and 'select id="generate-month"' in weekly
    client.force_login(world.maker_rep)  # a manufacturer is not told how the fund configures its cycle
    assert "data-cycle-warning" not in client.get("/settlement/").content.decode()
