"""双通道 designated pharmacies: an official designates a pharmacy of its pooling region for all or some negotiated
drugs (an audit row), revokes it with a reason; every bad input names its field and writes nothing; a pharmacy sees
its own designations only; the public list shows the live ones without sign-in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.errors import ConflictError, PermissionDeniedError, ValidationFailed
from common.models import AuditEvent
from pharmacies import services
from pharmacies.errors import PharmacyError
from pharmacies.models import DualChannelPharmacy
from tests.factories import league
from tests.utils import api_as, client_as, error_field

from .world import build_pharmacy_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_pharmacy_world()


def _designate(w, **changes):
    values = {
        "by": w.fund,
        "pharmacy": w.pharmacy.pk,
        "region": league("150100").pk,
        "valid_from": timezone.localdate().isoformat(),
        "products": [w.negotiated.product_id],
        **changes,
    }
    return services.dual_channel_designate(**values)


def test_an_official_designates_a_pharmacy_with_an_audit_row(w):
    designation = _designate(w)
    assert designation.pharmacy == w.pharmacy and designation.region.code == "150100"
    assert list(designation.products.all()) == [w.negotiated.product]
    event = AuditEvent.objects.get(object_id=designation.pk, action="designated")
    assert event.actor == w.fund and event.data["products"] == [w.negotiated.product_id]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"pharmacy": "hospital"}, "pharmacy", PharmacyError.PHARMACY_UNKNOWN),
        ({"pharmacy": "x1"}, "pharmacy", "invalid"),
        ({"region": "other"}, "region", PharmacyError.REGION_MISMATCH),
        ({"region": 999999}, "region", PharmacyError.REGION_UNKNOWN),
        ({"valid_from": "2026-13-01"}, "valid_from", PharmacyError.INVALID_FILTER),
        ({"valid_to": "2000-01-01"}, "valid_to", PharmacyError.DATES_REVERSED),
        ({"products": []}, "products", PharmacyError.PRODUCTS_REQUIRED),
        ({"products": ["plain"]}, "products[0]", PharmacyError.NOT_NEGOTIATED),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(w, changes, field, code):
    replacements = {"hospital": w.base.hospital.pk, "other": league("150200").pk, "plain": w.plain.product_id}
    changes = {
        k: ([replacements.get(x, x) for x in v] if isinstance(v, list) else replacements.get(v, v))
        for k, v in changes.items()
    }
    with pytest.raises(ValidationFailed) as exc:
        _designate(w, **changes)
    assert exc.value.field == field
    if code != "invalid":
        assert exc.value.code == code
    assert not DualChannelPharmacy.objects.exists() and not AuditEvent.objects.filter(action="designated").exists()


def test_an_overlapping_designation_is_a_conflict(w):
    _designate(w, all_negotiated=True, products=None)
    with pytest.raises(ConflictError) as exc:
        _designate(w, valid_from=(timezone.localdate() + timedelta(days=10)).isoformat())
    assert exc.value.code == PharmacyError.OVERLAPPING
    assert DualChannelPharmacy.objects.count() == 1


def test_only_officials_designate(w):
    with pytest.raises(PermissionDeniedError):
        _designate(w, by=w.pharmacist)
    assert not DualChannelPharmacy.objects.exists()


def test_revoking_needs_a_reason_and_keeps_the_row(w):
    designation = _designate(w)
    with pytest.raises(ValidationFailed) as exc:
        services.dual_channel_revoke(by=w.fund, designation=designation, reason=" ")
    assert exc.value.field == "reason"
    services.dual_channel_revoke(by=w.fund, designation=designation, reason="不再符合双通道条件")
    designation.refresh_from_db()
    assert designation.revoked_at and designation.revoked_by == w.fund
    with pytest.raises(ConflictError):
        services.dual_channel_revoke(by=w.fund, designation=designation, reason="再次")
    # once revoked, a new designation of the same period is allowed
    _designate(w, valid_from=(timezone.localdate() + timedelta(days=1)).isoformat())


def test_the_api_designates_lists_and_scopes(w):
    body = {
        "pharmacy": w.pharmacy.pk,
        "region": league("150100").pk,
        "valid_from": timezone.localdate().isoformat(),
        "all_negotiated": True,
    }
    created = api_as(w.fund).post("/api/v1/dual-channel-pharmacies/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["all_negotiated"] and created.json()["pharmacy_name"] == w.pharmacy.name
    bad = api_as(w.fund).post(
        "/api/v1/dual-channel-pharmacies/", {**body, "region": league("150200").pk}, format="json"
    )
    assert bad.status_code == 400 and error_field(bad) == "region"
    assert api_as(w.pharmacist).post("/api/v1/dual-channel-pharmacies/", body, format="json").status_code == 403
    pk = created.json()["id"]
    assert api_as(w.pharmacist).get("/api/v1/dual-channel-pharmacies/").json()["count"] == 1
    assert api_as(w.other_pharmacist).get("/api/v1/dual-channel-pharmacies/").json()["count"] == 0
    assert api_as(w.other_pharmacist).get(f"/api/v1/dual-channel-pharmacies/{pk}/").status_code == 404
    assert api_as(w.base.buyer).get("/api/v1/dual-channel-pharmacies/").status_code == 403
    revoked = api_as(w.fund).post(f"/api/v1/dual-channel-pharmacies/{pk}/revoke/", {"reason": "到期"}, format="json")
    assert revoked.status_code == 200 and revoked.json()["live"] is False


def test_the_officials_page_designates_and_revokes(w):
    page = client_as(w.fund)
    form = {
        "pharmacy": w.pharmacy.pk,
        "region": league("150100").pk,
        "valid_from": timezone.localdate().isoformat(),
        "products": [w.negotiated.product_id],
    }
    assert page.post("/pharmacies/dual-channel/", form).status_code == 302
    designation = DualChannelPharmacy.objects.get()
    listing = page.get("/pharmacies/dual-channel/").content.decode()
    assert w.pharmacy.name in listing and "司库奇尤单抗注射液" in listing
    page.post("/pharmacies/dual-channel/", {**form, "region": league("150200").pk})  # refused, shown as a message
    assert DualChannelPharmacy.objects.count() == 1
    page.post(f"/pharmacies/dual-channel/{designation.pk}/revoke/", {"reason": "停业"})
    designation.refresh_from_db()
    assert designation.revoke_reason == "停业"
    assert client_as(w.pharmacist).post("/pharmacies/dual-channel/", form).status_code in (403, 404)


def test_the_public_list_shows_the_live_designations_without_sign_in(w, django_assert_max_num_queries):
    live = _designate(w)
    _designate(w, pharmacy=w.other_pharmacy.pk, region=league("150200").pk, all_negotiated=True, products=None)
    services.dual_channel_revoke(by=w.fund, designation=live, reason="撤销")
    with django_assert_max_num_queries(8):
        response = client_as().get("/public/dual-channel/")
    body = response.content.decode()
    assert response.status_code == 200
    assert w.other_pharmacy.name in body and w.pharmacy.name not in body
    assert client_as().get("/public/dual-channel/?region=x").status_code == 400
