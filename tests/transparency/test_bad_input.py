"""Each refused objection, answer and appeal: its code, and nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.errors import DomainError
from common.models import AuditEvent
from procurement.models import TenderEvaluation
from tests.factories import UserFactory
from transparency.errors import TransparencyError
from transparency.models import Appeal, Objection
from transparency.services import appeals as appeal_svc
from transparency.services import objections as objection_svc

from .conftest import end_notice

pytestmark = pytest.mark.django_db


def refused(code, call):
    objections, appeals, events = Objection.objects.count(), Appeal.objects.count(), AuditEvent.objects.count()
    runs = TenderEvaluation.objects.count()
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.code == code, exc.value.message
    assert (Objection.objects.count(), Appeal.objects.count(), AuditEvent.objects.count()) == (
        objections,
        appeals,
        events,
    )
    assert TenderEvaluation.objects.count() == runs
    return exc.value


def test_objection_after_the_period(noticed):
    end_notice(noticed["tender"])
    error = refused(
        TransparencyError.NOT_IN_NOTICE_PERIOD,
        lambda: objection_svc.objection_file(by=noticed["reps"][0], tender=noticed["tender"], grounds="排序有误"),
    )
    assert error.status_code == 409 and error.field == "tender"


def test_objection_by_a_non_bidder(noticed):
    error = refused(
        TransparencyError.NOT_A_BIDDER,
        lambda: objection_svc.objection_file(by=noticed["reps"][2], tender=noticed["tender"], grounds="排序有误"),
    )
    assert error.status_code == 403
    refused(  # a hospital is no bidder either
        TransparencyError.NOT_A_BIDDER,
        lambda: objection_svc.objection_file(by=noticed["buyers"][0], tender=noticed["tender"], grounds="排序有误"),
    )


def test_objection_without_grounds(noticed):
    error = refused(
        TransparencyError.GROUNDS_REQUIRED,
        lambda: objection_svc.objection_file(by=noticed["reps"][0], tender=noticed["tender"], grounds="  "),
    )
    assert error.field == "grounds" and error.status_code == 400


def test_objection_with_a_document_of_the_wrong_type(noticed):
    refused(
        TransparencyError.DOCUMENT_TYPE,
        lambda: objection_svc.objection_file(
            by=noticed["reps"][0],
            tender=noticed["tender"],
            grounds="排序有误",
            document=SimpleUploadedFile("x.exe", b"MZ"),
        ),
    )


def test_objection_twice_for_the_same_result(noticed):
    objection_svc.objection_file(by=noticed["reps"][0], tender=noticed["tender"], grounds="排序有误")
    refused(
        TransparencyError.ALREADY_OBJECTED,
        lambda: objection_svc.objection_file(by=noticed["reps"][0], tender=noticed["tender"], grounds="再次异议"),
    )


def test_answer_by_someone_who_is_not_an_official(noticed, supervisor):
    objection = objection_svc.objection_file(by=noticed["reps"][0], tender=noticed["tender"], grounds="排序有误")
    for user in (noticed["reps"][1], supervisor, noticed["buyers"][0]):
        error = refused(
            TransparencyError.NOT_AN_OFFICIAL,
            lambda user=user: objection_svc.objection_answer(
                objection=objection, by=user, outcome="upheld", answer="成立"
            ),
        )
        assert error.status_code == 403
    objection.refresh_from_db()
    assert objection.status == "filed" and objection.answer == ""


def test_answer_without_text_or_with_a_bad_outcome(noticed):
    objection = objection_svc.objection_file(by=noticed["reps"][0], tender=noticed["tender"], grounds="排序有误")
    official = noticed["official"]
    refused(
        TransparencyError.GROUNDS_REQUIRED,
        lambda: objection_svc.objection_answer(objection=objection, by=official, outcome="rejected", answer=""),
    )
    refused(
        TransparencyError.INVALID_OUTCOME,
        lambda: objection_svc.objection_answer(objection=objection, by=official, outcome="maybe", answer="x"),
    )


def test_appeal_decided_by_the_official_who_answered(noticed, agency):
    both = UserFactory(username="both", organization=agency, roles=["pricing_official", "supervisor"])
    objection = objection_svc.objection_file(by=noticed["reps"][0], tender=noticed["tender"], grounds="排序有误")
    objection_svc.objection_answer(objection=objection, by=both, outcome="rejected", answer="无误")
    appeal = appeal_svc.appeal_file(objection=objection, by=noticed["reps"][0], grounds="不服")
    error = refused(
        TransparencyError.SAME_PERSON,
        lambda: appeal_svc.appeal_decide(appeal=appeal, by=both, outcome="upheld", decision="成立"),
    )
    assert error.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == "filed"
    refused(  # and an official without the supervisor's role
        TransparencyError.NOT_A_SUPERVISOR,
        lambda: appeal_svc.appeal_decide(appeal=appeal, by=noticed["official"], outcome="upheld", decision="成立"),
    )


def test_appeal_of_an_unanswered_objection_or_by_another_company(noticed):
    objection = objection_svc.objection_file(by=noticed["reps"][0], tender=noticed["tender"], grounds="排序有误")
    refused(
        TransparencyError.NOT_APPEALABLE,
        lambda: appeal_svc.appeal_file(objection=objection, by=noticed["reps"][0], grounds="不服"),
    )
    error = refused(
        "not_found", lambda: appeal_svc.appeal_file(objection=objection, by=noticed["reps"][1], grounds="不服")
    )
    assert error.status_code == 404
