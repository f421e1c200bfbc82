"""Forms report all their errors at once, each beside its own input, and write nothing."""

from __future__ import annotations

import re

import pytest

from common.errors import Refusals, ValidationFailed
from pricing.errors import PricingError
from pricing.models import CreditRecord, Inquiry, Interview, PriceAlert
from pricing.services.credit import credit_record_create
from pricing.services.scan import price_scan_run


@pytest.fixture
def alert(peer_world):
    price_scan_run(full=True)
    return PriceAlert.objects.get()


def _errors(html: str, form: str) -> dict[str, str]:
    return dict(re.findall(rf'<p class="field-error" id="{form}-(\w+)-error" role="alert">(.*?)</p>', html))


def test_credit_record_form_reports_every_wrong_field_at_once(client, official, manufacturer):
    client.force_login(official)
    page = client.post(
        "/pricing/credit/new/",
        {
            "organization": manufacturer.pk,
            "behaviour": "price_fraud",
            "scheme": "2020",
            "level": "general",
            "amount": "abc",
            "products": "NO-SUCH-CODE",
            "evidence": "",
            "start": "",
        },
        follow=True,
    ).content.decode()
    errors = _errors(page, "credit")
    assert {"amount", "products", "evidence", "start"} <= set(errors), errors
    assert page.count("autofocus") == 1  # the keyboard lands on the first, every other is marked
    assert len(re.findall(r'aria-invalid="true"', page)) >= 4
    assert "处需要修改" in page
    assert not CreditRecord.objects.exists()


def test_credit_service_refuses_all_fields_together_first_code_first(official, manufacturer):
    with pytest.raises(ValidationFailed) as caught:
        credit_record_create(
            organization=manufacturer, behaviour="nope", level="x", evidence="", start="", amount="-1", by=official
        )
    codes = [e.code for e in caught.value.all_errors]
    assert codes[0] == PricingError.BEHAVIOUR_UNKNOWN
    assert {PricingError.LEVEL_UNKNOWN, PricingError.EVIDENCE_REQUIRED, PricingError.START_REQUIRED} <= set(codes)
    assert not CreditRecord.objects.exists()


def test_refusals_gather_only_bad_input():
    found = Refusals()
    with found.check():
        raise ValidationFailed("a", field="x")
    with found.check():
        pass
    assert found.failed("x") and not found.failed("y")
    with pytest.raises(ValidationFailed) as caught:
        found.raise_any()
    assert caught.value.field == "x" and caught.value.others == []


def test_alert_resolve_reports_disposition_and_note_together(client, alert, official):
    client.force_login(official)
    client.post(f"/pricing/alerts/{alert.pk}/assign/", {"version": alert.version, "assignee": official.pk})
    version = PriceAlert.objects.get(pk=alert.pk).version
    page = client.post(
        f"/pricing/alerts/{alert.pk}/resolve/",
        {"version": version, "disposition": "", "note": "  "},
        follow=True,
    ).content.decode()
    errors = _errors(page, "resolve")
    assert {"disposition", "note"} <= set(errors), errors
    assert PriceAlert.objects.get(pk=alert.pk).status != PriceAlert.Status.RESOLVED


def _assigned(client, alert, official):
    client.force_login(official)
    client.post(f"/pricing/alerts/{alert.pk}/assign/", {"version": alert.version, "assignee": official.pk})
    return PriceAlert.objects.get(pk=alert.pk).version


def test_inquiry_form_reports_letter_and_date_together(client, alert, official):
    version = _assigned(client, alert, official)
    page = client.post(
        f"/pricing/alerts/{alert.pk}/inquiry/",
        {"version": version, "recipient": alert.manufacturer_id, "letter": "  ", "reply_due": "31/12"},
        follow=True,
    ).content.decode()
    errors = _errors(page, "inquiry")
    assert {"letter", "reply_due"} <= set(errors), errors
    assert page.count(" autofocus") == 1 and "处需要修改" in page
    assert not Inquiry.objects.exists()
    assert PriceAlert.objects.get(pk=alert.pk).version == version


def test_interview_form_reports_date_participants_and_minutes_together(client, alert, official):
    version = _assigned(client, alert, official)
    page = client.post(
        f"/pricing/alerts/{alert.pk}/interview/",
        {"version": version, "held_on": "2999-01-01", "participants": "", "minutes": ""},
        follow=True,
    ).content.decode()
    errors = _errors(page, "interview")
    assert {"held_on", "participants", "minutes"} <= set(errors), errors
    assert not Interview.objects.exists()
