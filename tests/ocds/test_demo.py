"""The demo province's publication: every release and every record validates against the OCDS schemas with the
extensions, award values add up to the agreed amounts, and publishing again or exporting again changes nothing."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client

from ocds import packaging, selectors
from ocds.models import OcdsRelease
from ocds.schema import record_package_errors, release_package_errors
from ocds.services import releases_publish_all
from procurement.models import Commitment, Tender
from procurement.selectors.tenders import tenders_announced

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def amount(value: dict) -> Decimal:
    return Decimal(str(value["amount"]))


def test_every_release_and_record_of_the_demo_validates(demo_province):
    rows = selectors.release_data(selectors.releases())
    assert len(rows) > 10
    assert release_package_errors(packaging.release_package(rows, path="releases/")) == []
    ocids = sorted({r["ocid"] for r in rows})
    for ocid in ocids:
        assert record_package_errors(packaging.record_package(ocid, selectors.record_releases(ocid))) == [], ocid
    framework = {r["ocid"] for r in rows if "relatedProcesses" not in r}
    assert framework == {f"ocds-nmgyx1-{t.code}" for t in tenders_announced()}
    assert not OcdsRelease.objects.filter(tender__status="draft").exists()


def test_award_values_of_each_demo_tender_sum_to_its_agreed_amounts(demo_province):
    awarded = Tender.objects.filter(status__in=["awarded", "executing", "closed"])
    assert awarded.exists()
    for tender in awarded:
        agreed = Commitment.objects.filter(tender=tender).aggregate(total=Sum("agreed_amount"))["total"]
        ocid = f"ocds-nmgyx1-{tender.code}"
        compiled = packaging.compiled_release(selectors.record_releases(ocid))
        assert sum(amount(a["value"]) for a in compiled["awards"]) == agreed, tender.code
        call_offs = OcdsRelease.objects.filter(tender=tender, hospital__isnull=False).values_list("ocid", flat=True)
        total = Decimal(0)
        for call_off in set(call_offs):
            latest = packaging.compiled_release(selectors.record_releases(call_off))
            total += sum(amount(a["value"]) for a in latest["awards"])
        assert total == agreed, tender.code


def test_publishing_or_exporting_again_changes_nothing(demo_province):
    before = list(OcdsRelease.objects.order_by("pk").values_list("release_id", "date", "digest"))
    assert releases_publish_all() == 0
    assert list(OcdsRelease.objects.order_by("pk").values_list("release_id", "date", "digest")) == before
    tender = Tender.objects.filter(status="executing").first()
    texts = []
    for _ in range(2):
        out = io.StringIO()
        call_command("export_ocds", tender.code, "--call-offs", stdout=out)
        texts.append(out.getvalue())
    assert texts[0] == texts[1]


def test_a_draft_of_the_demo_is_not_published(demo_province):
    draft = Tender.objects.filter(status="draft").first()
    assert draft is not None
    assert Client().get(f"/api/ocds/records/ocds-nmgyx1-{draft.code}/").status_code == 404
    assert draft.code not in Client().get("/api/ocds/releases/", {"page_size": 500}).content.decode()


def test_the_demo_purchase_contracts_are_the_call_offs_contracts(demo_province):
    """Each published purchase contract (the version in force, else the pending one; never a draft) is a contract of
    its hospital's call-off, with its amount as the value."""
    from contracts.models import PurchaseContract
    from ocds.builder.contracts import contract_rows

    published = 0
    for tender in Tender.objects.filter(status__in=["awarded", "executing", "closed"]):
        rows = {r.number: r for r in contract_rows(tender)}
        seen = set()
        for call_off in set(
            OcdsRelease.objects.filter(tender=tender, hospital__isnull=False).values_list("ocid", flat=True)
        ):
            compiled = packaging.compiled_release(selectors.record_releases(call_off))
            for contract in compiled.get("contracts", []):
                row = rows[contract["id"]]
                assert amount(contract["value"]) == row.amount and contract["status"] in ("pending", "active")
                seen.add(contract["id"])
        assert seen == set(rows), tender.code
        published += len(seen)
    assert published > 0
    drafts = set(PurchaseContract.objects.filter(status="draft").values_list("number", flat=True))
    in_releases = {c["id"] for r in selectors.release_data(selectors.releases()) for c in r.get("contracts", [])}
    assert not drafts & in_releases - set(
        PurchaseContract.objects.exclude(status="draft").values_list("number", flat=True)
    )
