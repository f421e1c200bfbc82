import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings

from accounts.demo import USERS
from accounts.models import Organization, User
from accounts.permissions import RoleCode
from accounts.uscc import uscc_problem
from procurement.evaluation.inputs import Reason
from procurement.models import Award, Bid, TenderEvaluation
from workbench import selectors as workbench

SKIP_FIELDS = {"last_login"}


def snapshot() -> dict:
    """Every row of every platform table (history tables included), for comparing two runs."""
    result = {}
    for model in apps.get_models():
        if model._meta.app_label not in {
            "accounts",
            "catalog",
            "procurement",
            "pricing",
            "settlement",
            "payment_standards",
        }:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in SKIP_FIELDS]
        result[model._meta.label] = sorted(map(repr, model.objects.values_list(*fields)))
    return result


@pytest.fixture(scope="module")
def seeded(demo_province, django_db_blocker):
    """The demo as the first run of `seed_demo` left it (the run's demo template, seeded with every statement logged
    as `make run` does), then a second run on it."""
    with django_db_blocker.unblock():
        first = snapshot()
        # the second run as a staging site would: DEBUG off, outside the tests, with the explicit flag
        with override_settings(DEBUG=False, DEMO_DATA_ALLOWED=False):
            call_command("seed_demo", "--quiet-logins", "--allow-production-demo", stdout=io.StringIO())
        second = snapshot()
    return first, second


@pytest.mark.django_db
def test_running_twice_changes_nothing(seeded):
    first, second = seeded
    assert first == second
    assert sum(len(rows) for rows in first.values()) > 100


@pytest.mark.django_db
def test_demo_province_is_believable(seeded):
    hospitals = Organization.objects.filter(kind="hospital")
    assert hospitals.count() >= 60
    assert set(hospitals.values_list("hospital_level", flat=True)) == {"3", "2", "1", "0"}
    assert set(hospitals.values_list("hospital_type", flat=True)) == set(Organization.HospitalType.values)
    assert hospitals.filter(hospital_type="mongolian").count() >= 12
    assert hospitals.values("region__parent").exists()
    regions = {o.region.pooling_region.code for o in hospitals.select_related("region__parent")}
    assert len(regions) == 12
    assert Organization.objects.filter(kind="manufacturer").count() == 20
    assert Organization.objects.filter(kind="manufacturer", name__contains="蒙药").count() >= 3
    assert Organization.objects.filter(kind="distributor").count() == 8
    assert Organization.objects.filter(kind="agency").count() == 1
    for uscc in Organization.objects.values_list("uscc", flat=True):
        assert uscc_problem(uscc) is None, uscc


@pytest.mark.django_db
def test_a_user_for_every_role(seeded):
    held = set(User.objects.values_list("roles__code", flat=True))
    assert held >= set(RoleCode.values)
    for user in User.objects.all():
        assert user.organization is not None
    for username, *_ in USERS:  # the logins printed by `make run`
        assert User.objects.get(username=username).check_password("Demo@2026")


@pytest.mark.django_db
def test_demo_inbox_has_unread_notifications_of_every_kind(seeded):
    from common.models import Notification
    from common.notifications import unread_count

    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"price_alert", "deadline", "overdue_payment"} <= kinds
    assert unread_count(User.objects.get(username="official")) > 0
    assert unread_count(User.objects.get(username="fund")) > 0
    assert Notification.objects.filter(read_at__isnull=False).exists()  # a few already read
    assert not User.objects.filter(username="buyer", email="").exists()  # the mails have somewhere to go


@pytest.mark.django_db
def test_demo_settles_a_price_correction_of_a_paid_line_in_the_next_statement(seeded):
    from settlement.models import SettlementLine

    lines = SettlementLine.objects.filter(kind="price_adjustment").select_related(
        "price_adjustment__statement", "statement"
    )
    assert lines.exists()
    for line in lines:
        assert line.amount < 0 and line.price_adjustment.statement.period < line.statement.period
    assert any(line.price_adjustment.statement.status == "paid" for line in lines)


@pytest.mark.django_db
def test_demo_consumable_tender_runs_through_awards(seeded):
    """The intraocular-lens tender: consumable rules, intended volumes per brand, awards with a revived winner."""
    from catalog.udi import udi_di_problem
    from procurement.models import Award, ConsumableDemand, Tender

    tender = Tender.objects.get(code="NMG-HC-2026-01")
    assert tender.kind == "consumables" and tender.status in ("awarded", "executing")
    assert tender.consumable.rules["revival"] is True
    assert ConsumableDemand.objects.filter(tender=tender).values("product").distinct().count() == 4
    awards = list(Award.objects.filter(tender=tender).select_related("product").order_by("rank"))
    assert len(awards) >= 3
    for award in awards:
        assert award.product.registration_number.startswith("国械注准")
        assert award.product.udi_di and udi_di_problem(award.product.udi_di) is None
    revived = tender.evaluations.get(is_current=True).outputs
    assert any(o["revived"] for lot in revived.values() for o in lot["outcomes"])


@pytest.mark.django_db
def test_demo_manufacturers_see_opened_and_awarded_tenders_with_their_bids(seeded):
    mfr2, mfr = User.objects.get(username="mfr2"), User.objects.get(username="mfr")
    # mfr2 (chemical drugs): awarded lots of a chemical-drug round in execution, judged by the 1.8× / ¥0.10 rules
    won = Award.objects.filter(manufacturer=mfr2.organization, tender__status="executing").select_related("tender")
    assert won.count() >= 2
    assert {a.tender.rules.get("rule_set", "chemical") for a in won} == {"chemical"}
    assert Bid.objects.filter(
        manufacturer=mfr2.organization, tender__status="executing", status="selected"
    ).count() == (won.count())
    # mfr (Mongolian medicine): a patent-medicine round evaluated by the patent-medicine rule set
    patent = Award.objects.filter(manufacturer=mfr.organization).select_related("tender")
    assert patent.exists() and {a.tender.rules["rule_set"] for a in patent} == {"patent_medicine"}
    run = TenderEvaluation.objects.get(tender=patent.first().tender, is_current=True)
    assert run.rules["rule_set"] == "patent_medicine"
    reasons = [Reason.read(r) for o in run.outputs.values() for b in o["outcomes"] for r in b["reasons"]]
    assert reasons and not any("1.8" in r for r in reasons)


@pytest.mark.django_db
def test_the_demo_makers_have_a_workbench_to_show(seeded):
    mfr, mfr2 = User.objects.get(username="mfr"), User.objects.get(username="mfr2")
    bench = workbench.manufacturer_workbench(mfr2)
    statuses = {s["status"] for s in bench["settlement"]["statuses"] if s["count"]}
    assert {"draft", "claimed", "hospital_confirmed", "paid"} <= statuses
    assert bench["settlement"]["paid"] > 0
    assert len([n for n in bench["contracts"].values() if n]) >= 3
    assert any(a.tender.code == "NMG-YP-2026-07" for a in bench["awards"])
    assert any(row["received"] for row in bench["progress"])
    todos = {t.key: t.count for t in workbench.todos(mfr)}
    assert todos["inquiries_to_answer"] >= 1 and todos["licences_expiring"] >= 1
    listings = workbench.listing_summary(mfr)
    assert listings["through_applications"] >= 1
    assert any(row["received"] for row in workbench.progress_by_hospital(mfr))


@pytest.mark.django_db
def test_demo_assesses_the_ended_cycles_retained_savings(seeded, client):
    """NMG-YP-2025-01's cycle: several hospitals assessed, one award paid through the ledger, one approved and not
    paid, hospitals that did not qualify with their reasons; the hospital's page shows what it earned and why."""
    from settlement import ledger
    from settlement.models import JournalEntry, SavingsAward

    awards = list(SavingsAward.objects.filter(tender__code="NMG-YP-2025-01").order_by("hospital_id"))
    assert len(awards) >= 4
    statuses = {a.status for a in awards}
    assert {"paid", "approved", "assessed"} <= statuses
    paid = next(a for a in awards if a.status == "paid")
    assert paid.qualified and paid.amount > 0 and paid.completion_rate >= 1
    assert paid.journal_entry.kind == JournalEntry.Kind.SAVINGS
    assert paid.amount == (paid.savings * paid.share).quantize(paid.amount)
    refused = [a for a in awards if not a.qualified]
    codes = {r["code"] for a in refused for r in a.reasons}
    assert {"completion_below", "substitution_over"} <= codes
    assert all(a.amount == 0 for a in refused)
    assert not ledger.unbalanced_entries().exists()
    buyer = User.objects.get(organization_id=paid.hospital_id, username="buyer")
    client.force_login(buyer)
    page = client.get("/settlement/my-position/").content.decode()
    assert f"{paid.amount:,.2f}" in page or str(paid.amount) in page
    assert "约定采购量完成率" in page


@pytest.mark.django_db
def test_demo_carries_a_shortfall_and_recovers_it_the_next_month(seeded):
    """A month whose direct-settlement deductions exceed what the fund owes the hospital: the rest is carried and
    recovered from the next month; the ledger stays balanced."""
    from settlement import ledger
    from settlement.models import BudgetMonthSettlement

    carried = BudgetMonthSettlement.objects.filter(carried_out__gt=0).order_by("month").first()
    assert carried is not None
    assert carried.deductions > carried.owed
    assert carried.carried_out == carried.deductions - carried.withheld
    following = BudgetMonthSettlement.objects.get(
        hospital_id=carried.hospital_id, month=(carried.month + timedelta(days=32)).replace(day=1)
    )
    assert following.carried_in == carried.carried_out
    assert following.recovered == carried.carried_out and following.carried_out == 0
    assert not ledger.unbalanced_entries().exists()
