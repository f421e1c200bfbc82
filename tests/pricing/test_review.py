"""The officials' review of an alert: order of steps, reasons, who may act, and two officials at once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from common.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from common.models import events_for
from pricing.errors import PricingError
from pricing.models import Inquiry, Interview, PriceAlert
from pricing.services import alerts as svc
from pricing.services.scan import price_scan_run
from tests.factories import UserFactory


@pytest.fixture
def alert(peer_world):
    price_scan_run(full=True)
    return PriceAlert.objects.get()


@pytest.fixture
def colleague(agency):
    return UserFactory(username="official2", organization=agency, roles=["pricing_official"])


def fresh(alert):
    return PriceAlert.objects.get(pk=alert.pk)


def tomorrow():
    return timezone.localdate() + timedelta(days=10)


def test_the_whole_review_with_history(alert, official, manufacturer, manufacturer_rep):
    svc.alert_assign(alert=alert, assignee=official, by=official, expected_version=1)
    inquiry = svc.alert_send_inquiry(
        alert=alert,
        recipient=manufacturer,
        letter="请说明该院采购价格高于同类医院的原因。",
        reply_due=tomorrow(),
        by=official,
        expected_version=2,
    )
    svc.inquiry_reply(inquiry=inquiry, reply="该批次为小包装规格，运输成本较高。", by=manufacturer_rep)
    svc.alert_record_interview(
        alert=alert,
        held_on=timezone.localdate(),
        participants="价格处张某；企业李某",
        minutes="企业承诺下调价格。",
        by=official,
        expected_version=3,
    )
    svc.alert_resolve(alert=alert, disposition="justified", note="说明合理", by=official, expected_version=4)
    alert = fresh(alert)
    assert alert.status == "resolved" and alert.disposition == "justified" and alert.version == 5
    assert alert.assignee == official
    steps = [(e.action, e.from_state, e.to_state, e.actor_id) for e in events_for(alert)]
    assert steps == [
        ("start_review", "open", "in_review", official.pk),
        ("send_inquiry", "in_review", "inquiry_sent", official.pk),
        ("inquiry_replied", "inquiry_sent", "inquiry_sent", manufacturer_rep.pk),
        ("record_interview", "inquiry_sent", "interviewed", official.pk),
        ("resolve", "interviewed", "resolved", official.pk),
    ]
    inquiry.refresh_from_db()
    assert inquiry.replied_by == manufacturer_rep and not inquiry.is_overdue
    assert Interview.objects.get(alert=alert).participants == "价格处张某；企业李某"


def test_two_officials_on_one_alert_one_wins(alert, official, colleague):
    seen = alert.version
    svc.alert_assign(alert=alert, assignee=official, by=official, expected_version=seen)
    with pytest.raises(ConflictError, match="已被他人处理") as exc:
        svc.alert_dismiss(alert=alert, reason="重复数据", by=colleague, expected_version=seen)
    assert exc.value.status_code == 409 and exc.value.code == PricingError.STALE_VERSION
    with translation.override("en"), pytest.raises(ConflictError) as english:
        svc.alert_dismiss(alert=alert, reason="重复数据", by=colleague, expected_version=seen)
    assert english.value.code == PricingError.STALE_VERSION and "handled by someone else" in english.value.message
    alert = fresh(alert)
    assert alert.status == "in_review" and alert.resolution_note == "" and alert.version == seen + 1


@pytest.mark.parametrize("step", ["inquiry", "interview", "resolve"])
def test_steps_out_of_order_are_refused(alert, official, manufacturer, step):
    with pytest.raises(ConflictError, match="待处理") as exc:
        if step == "inquiry":
            svc.alert_send_inquiry(alert=alert, recipient=manufacturer, letter="函", reply_due=tomorrow(), by=official)
        elif step == "interview":
            svc.alert_record_interview(
                alert=alert, held_on=timezone.localdate(), participants="甲", minutes="乙", by=official
            )
        else:
            svc.alert_resolve(alert=alert, disposition="justified", note="合理", by=official)
    assert exc.value.code == PricingError.STEP_NOT_ALLOWED and exc.value.field == "status"
    alert = fresh(alert)
    assert alert.status == "open" and alert.version == 1
    assert not Inquiry.objects.exists() and not Interview.objects.exists() and not events_for(alert).exists()


def test_nothing_happens_to_a_closed_alert(alert, official):
    svc.alert_dismiss(alert=alert, reason="数据录入错误", by=official)
    with pytest.raises(ConflictError) as assigned:
        svc.alert_assign(alert=alert, assignee=official, by=official)
    assert assigned.value.code == PricingError.ALERT_CLOSED
    with pytest.raises(ConflictError) as dismissed:
        svc.alert_dismiss(alert=alert, reason="再次", by=official)
    assert dismissed.value.code == PricingError.STEP_NOT_ALLOWED
    assert fresh(alert).resolution_note == "数据录入错误"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_dismissing_without_a_reason(alert, official, reason):
    with pytest.raises(ValidationFailed) as exc:
        svc.alert_dismiss(alert=alert, reason=reason, by=official)
    assert exc.value.field == "reason" and exc.value.code == PricingError.REASON_REQUIRED
    assert fresh(alert).status == "open"


def test_an_official_of_no_agency_cannot_act(alert, hospital, official):
    nowhere = UserFactory(username="floating", organization=None, roles=["pricing_official"])
    wrong_place = UserFactory(username="hosp_official", organization=hospital, roles=["pricing_official"])
    purchaser = UserFactory(username="buyer1", organization=hospital, roles=["purchaser"])
    for user in (nowhere, wrong_place, purchaser):
        with pytest.raises(PermissionDeniedError):
            svc.alert_assign(alert=alert, assignee=official, by=user)
        with pytest.raises(PermissionDeniedError):
            svc.alert_dismiss(alert=alert, reason="无", by=user)
    with pytest.raises(ValidationFailed) as exc:
        svc.alert_assign(alert=alert, assignee=purchaser, by=official)
    assert exc.value.code == PricingError.ASSIGNEE_NOT_OFFICIAL and exc.value.field == "assignee"
    alert = fresh(alert)
    assert alert.status == "open" and alert.assignee is None and not events_for(alert).exists()


def test_inquiry_inputs(alert, official, manufacturer, hospital):
    svc.alert_assign(alert=alert, assignee=official, by=official)
    cases = [
        ({"letter": ""}, "letter"),
        ({"reply_due": timezone.localdate()}, "reply_due"),
        ({"recipient": official.organization}, "recipient"),
    ]
    for change, field in cases:
        kwargs = {
            "alert": alert,
            "recipient": manufacturer,
            "letter": "请说明",
            "reply_due": tomorrow(),
            "by": official,
        }
        kwargs.update(change)
        with pytest.raises(ValidationFailed) as exc:
            svc.alert_send_inquiry(**kwargs)
        assert exc.value.field == field
    assert fresh(alert).status == "in_review" and not Inquiry.objects.exists()
    svc.alert_send_inquiry(alert=alert, recipient=hospital, letter="请医院说明", reply_due=tomorrow(), by=official)
    assert fresh(alert).status == "inquiry_sent"


def test_only_the_addressed_organisation_answers_once(alert, official, manufacturer, manufacturer_rep, purchaser):
    svc.alert_assign(alert=alert, assignee=official, by=official)
    inquiry = svc.alert_send_inquiry(
        alert=alert, recipient=manufacturer, letter="请说明", reply_due=tomorrow(), by=official
    )
    with pytest.raises(NotFoundError):
        svc.inquiry_reply(inquiry=inquiry, reply="不是我们", by=purchaser)
    with pytest.raises(ValidationFailed):
        svc.inquiry_reply(inquiry=inquiry, reply=" ", by=manufacturer_rep)
    svc.inquiry_reply(inquiry=inquiry, reply="已核实", by=manufacturer_rep)
    with pytest.raises(ConflictError) as exc:
        svc.inquiry_reply(inquiry=inquiry, reply="补充", by=manufacturer_rep)
    assert exc.value.code == PricingError.INQUIRY_ALREADY_REPLIED
    assert Inquiry.objects.get().reply == "已核实"


def test_overdue_inquiry(alert, official, manufacturer):
    svc.alert_assign(alert=alert, assignee=official, by=official)
    inquiry = svc.alert_send_inquiry(
        alert=alert, recipient=manufacturer, letter="请说明", reply_due=tomorrow(), by=official
    )
    Inquiry.objects.filter(pk=inquiry.pk).update(reply_due=timezone.localdate() - timedelta(days=1))
    assert Inquiry.objects.get(pk=inquiry.pk).is_overdue


def test_resolve_inputs(alert, official):
    svc.alert_assign(alert=alert, assignee=official, by=official)
    bad = [
        ({"disposition": "forgiven"}, "disposition"),
        ({"disposition": "justified", "note": ""}, "note"),
        ({"disposition": "corrected"}, "corrected_price"),
        ({"disposition": "corrected", "corrected_price": "0"}, "corrected_price"),
        ({"disposition": "corrected", "corrected_price": "abc"}, "corrected_price"),
        ({"disposition": "corrected", "corrected_price": "1.23456"}, "corrected_price"),
        ({"disposition": "justified", "corrected_price": "1.00"}, "corrected_price"),
    ]
    for change, field in bad:
        kwargs = {"alert": alert, "disposition": "justified", "note": "说明", "by": official, **change}
        with pytest.raises(ValidationFailed) as exc:
            svc.alert_resolve(**kwargs)
        assert exc.value.field == field, change
    assert fresh(alert).status == "in_review"
    svc.alert_resolve(alert=alert, disposition="corrected", corrected_price="1.0100", note="企业同意降价", by=official)
    alert = fresh(alert)
    assert alert.status == "resolved" and alert.corrected_price == Decimal("1.0100")


def test_interview_inputs(alert, official):
    svc.alert_assign(alert=alert, assignee=official, by=official)
    for change, field in [
        ({"held_on": timezone.localdate() + timedelta(days=1)}, "held_on"),
        ({"participants": ""}, "participants"),
        ({"minutes": " "}, "minutes"),
        ({"held_on": "2026-01-01"}, "held_on"),
    ]:
        kwargs = {
            "alert": alert,
            "held_on": date(2026, 1, 5),
            "participants": "甲",
            "minutes": "乙",
            "by": official,
            **change,
        }
        with pytest.raises(ValidationFailed) as exc:
            svc.alert_record_interview(**kwargs)
        assert exc.value.field == field
    assert fresh(alert).status == "in_review" and not Interview.objects.exists()


def test_bulk_assign_and_bulk_dismiss_are_all_or_nothing(hospitals, product, official, colleague):
    from tests.fixtures.prices import observe

    # a different hospital far from its peers each month: three open alerts
    for month in (3, 4, 5):
        prices = ["1.00", "1.02", "0.98", "1.01", "0.99", "1.03", "0.97", "1.00"]
        prices[month] = "2.60"
        for h, p in zip(hospitals, prices, strict=True):
            observe(product, h, date(2026, month, 10), p)
    price_scan_run(full=True)
    ids = list(PriceAlert.objects.filter(kinds__contains=["peer_outlier"]).values_list("pk", flat=True))
    assert len(ids) == 3
    svc.alert_dismiss(alert=PriceAlert.objects.get(pk=ids[0]), reason="已核实", by=official)
    # the rule: all or nothing, every refused case named with its state
    with pytest.raises(ConflictError, match=f"#{ids[0]}（已排除）") as refused:
        svc.alerts_bulk_assign(alert_ids=ids, assignee=colleague, by=official)
    assert refused.value.code == PricingError.BULK_REFUSED and refused.value.field == "alerts"
    assert not PriceAlert.objects.filter(assignee=colleague).exists()
    with pytest.raises(NotFoundError):
        svc.alerts_bulk_assign(alert_ids=[ids[1], 999999], assignee=colleague, by=official)
    with pytest.raises(ValidationFailed):
        svc.alerts_bulk_dismiss(alert_ids=ids[1:], reason="", by=official)
    svc.alerts_bulk_assign(alert_ids=ids[1:], assignee=colleague, by=official)
    assert set(PriceAlert.objects.filter(assignee=colleague).values_list("status", flat=True)) == {"in_review"}
    svc.alerts_bulk_dismiss(alert_ids=ids[1:], reason="批量核实为合理", by=official)
    assert PriceAlert.objects.filter(status="dismissed").count() == 3


def test_assigning_to_an_official_of_another_league_is_refused(alert, official, colleague, settings):
    """A league's agency (named in PRICE_REVIEW_REGIONAL_AGENCIES) handles its own league's cases only."""
    from tests.factories import AgencyFactory, UserFactory, league

    other = AgencyFactory(name="测试包头医保局", region=league("150200"))
    settings.PRICE_REVIEW_REGIONAL_AGENCIES = [other.uscc]
    local = UserFactory(username="official-bt", organization=other, roles=["pricing_official"])
    with pytest.raises(ValidationFailed) as refused:
        svc.alert_assign(alert=alert, assignee=local, by=official)
    assert refused.value.code == PricingError.ASSIGNEE_OTHER_REGION and refused.value.field == "assignee"
    assert fresh(alert).status == "open" and fresh(alert).assignee is None
    svc.alert_assign(alert=alert, assignee=colleague, by=official)  # the province's agency: any league
    assert fresh(alert).assignee == colleague


def test_resolve_without_a_disposition_is_refused(alert, official):
    svc.alert_assign(alert=alert, assignee=official, by=official)
    with pytest.raises(ValidationFailed) as refused:
        svc.alert_resolve(alert=alert, disposition="", note="已核实", by=official)
    assert refused.value.code == PricingError.DISPOSITION_REQUIRED and refused.value.field == "disposition"
    assert fresh(alert).status == "in_review"
    svc.alert_resolve(alert=alert, disposition="justified", note="已核实", by=official)
    with pytest.raises(ConflictError) as closed:
        svc.alert_dismiss(alert=alert, reason="重复", by=official)
    assert closed.value.code == PricingError.STEP_NOT_ALLOWED
