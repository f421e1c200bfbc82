"""Objection → answer → appeal → re-run, end to end through the services; the awards wait for the notice period and
for every open objection."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.errors import ConflictError
from common.models import AuditEvent, Notification
from procurement.errors import TenderError
from procurement.models import Award, TenderEvaluation
from procurement.services import tenders as svc
from transparency.models import Appeal, Objection
from transparency.services import appeals as appeal_svc
from transparency.services import objections as objection_svc
from transparency.services.deadlines import check_deadlines

from .conftest import end_notice

pytestmark = pytest.mark.django_db


def test_objection_answer_appeal_rerun_end_to_end(noticed, supervisor):
    tender, official, rep = noticed["tender"], noticed["official"], noticed["reps"][1]
    first_run = noticed["run"]
    objection = objection_svc.objection_file(by=rep, tender=tender, grounds="第 01 品种的可比价计算有误")
    assert objection.status == "filed" and objection.evaluation == first_run
    assert objection.answer_due - objection.filed_at == timedelta(days=3)
    assert Notification.objects.filter(organization=official.organization, kind="objection").exists()
    # The awards wait: the notice period runs, and after it the open objection holds them.
    with pytest.raises(ConflictError) as exc:
        svc.tender_award(tender=tender, by=official)
    assert exc.value.code == TenderError.AWARDS_ON_HOLD

    objection = objection_svc.objection_answer(objection=objection, by=official, outcome="rejected", answer="计算无误")
    assert objection.status == "rejected" and objection.appeal_due - objection.answered_at == timedelta(days=10)
    assert Notification.objects.filter(
        organization=rep.organization, kind="objection", title__contains="已答复"
    ).exists()

    appeal = appeal_svc.appeal_file(objection=objection, by=rep, grounds="答复未说明依据")
    end_notice(tender)
    with pytest.raises(ConflictError) as exc:  # the period is over, the appeal is open
        svc.tender_award(tender=tender, by=official)
    assert exc.value.code == TenderError.AWARDS_ON_HOLD

    appeal = appeal_svc.appeal_decide(appeal=appeal, by=supervisor, outcome="upheld", decision="应按参比规格折算")
    objection.refresh_from_db()
    assert appeal.status == "upheld" and objection.status == "upheld"
    # The evaluation was re-run with the decision as its reason (procurement's audited re-run), a new notice begins.
    current = TenderEvaluation.objects.get(tender=tender, is_current=True)
    assert current.run_no == first_run.run_no + 1 and objection.rerun == current
    assert "申诉成立" in current.reason and "应按参比规格折算" in current.reason
    assert AuditEvent.objects.filter(action="evaluated", data__run_no=current.run_no).exists()
    assert AuditEvent.objects.filter(action="decided", actor=supervisor).exists()
    assert Notification.objects.filter(organization=rep.organization, title__contains="申诉已裁决").exists()
    with pytest.raises(ConflictError):  # the re-run's own notice period
        svc.tender_award(tender=tender, by=official)
    end_notice(tender)
    assert check_deadlines()["notices_ended"] >= 1
    awards = svc.tender_award(tender=tender, by=official)
    assert awards and Award.objects.filter(tender=tender).count() == len(awards)


def test_upheld_objection_reruns_at_once(noticed):
    tender, official = noticed["tender"], noticed["official"]
    objection = objection_svc.objection_file(by=noticed["reps"][0], tender=tender, grounds="排序有误")
    objection = objection_svc.objection_answer(objection=objection, by=official, outcome="upheld", answer="重新评审")
    assert objection.status == "upheld" and objection.rerun.run_no == 2
    assert objection.rerun.reason.startswith("异议成立")


def test_rejected_objection_holds_awards_until_the_appeal_window_closes(noticed):
    tender, official = noticed["tender"], noticed["official"]
    objection = objection_svc.objection_file(by=noticed["reps"][0], tender=tender, grounds="排序有误")
    objection_svc.objection_answer(objection=objection, by=official, outcome="rejected", answer="无误")
    end_notice(tender)
    with pytest.raises(ConflictError):
        svc.tender_award(tender=tender, by=official)
    Objection.objects.filter(pk=objection.pk).update(appeal_due=timezone.now() - timedelta(seconds=1))
    assert svc.tender_award(tender=tender, by=official)


def test_awards_without_objection_wait_only_for_the_period(noticed):
    tender, official = noticed["tender"], noticed["official"]
    with pytest.raises(ConflictError) as exc:
        svc.tender_award(tender=tender, by=official)
    assert "公示期" in exc.value.message and not Award.objects.exists()
    end_notice(tender)
    assert svc.tender_award(tender=tender, by=official)


def test_overdue_answer_is_reported_once(noticed):
    objection = objection_svc.objection_file(by=noticed["reps"][0], tender=noticed["tender"], grounds="排序有误")
    Objection.objects.filter(pk=objection.pk).update(answer_due=timezone.now() - timedelta(minutes=1))
    assert check_deadlines()["overdue"] == 1
    assert check_deadlines()["overdue"] == 0  # the same message is not sent twice
    assert not Appeal.objects.exists()
