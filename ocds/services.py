"""Publishing: store a new release for each process of a tender whose content changed since its last release.

A release's id is `<ocid>-<sequence>` and its date the moment it was stored; both stay, so every later reading of an
unchanged process (API, bulk package, `export_ocds`) is identical. A process whose content is unchanged gets no new
release, however often publishing runs (each status change of the tender, each payment, the nightly run).
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone

from common.outbox import enqueue
from procurement.models import Tender
from procurement.selectors.tenders import tenders_announced

from .builder import Built, build
from .builder.context import iso
from .models import OcdsRelease
from .packaging import plain
from .tags import release_tags

TASK = "ocds.publish_tender"


def digest(content: dict) -> str:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _latest(tender: Tender) -> dict[str, OcdsRelease]:
    latest = OcdsRelease.objects.filter(tender=tender).order_by("ocid", "-sequence").distinct("ocid")
    return {release.ocid: release for release in latest}


def _new_release(built: Built, content: dict, key: str, previous: OcdsRelease | None, now, tender) -> OcdsRelease:
    sequence = previous.sequence + 1 if previous else 1
    release_id = f"{built.ocid}-{sequence:03d}"
    before = previous.release if previous else None
    tags = release_tags(before, previous.stage if previous else None, content, built.stage)
    data = {"ocid": built.ocid, "id": release_id, "date": iso(now), "tag": tags}
    data.update((k, v) for k, v in content.items() if k != "ocid")
    return OcdsRelease(
        ocid=built.ocid,
        sequence=sequence,
        release_id=release_id,
        date=now,
        tags=tags,
        stage=built.stage,
        tender=tender,
        hospital_id=built.hospital_id,
        digest=key,
        data=json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    )


@transaction.atomic
def releases_publish(*, tender: Tender, now=None) -> list[OcdsRelease]:
    """Store a release for each of the tender's processes that changed; returns the new releases (none for a
    draft). The tender row is locked so that two publishings of one tender number their releases one after the
    other."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    now = (now or timezone.now()).replace(microsecond=0)
    latest = _latest(tender)
    new = []
    for built in build(tender):
        content = plain(built.content)
        key = digest(content)
        previous = latest.get(built.ocid)
        if previous is not None and previous.digest == key:
            continue
        new.append(_new_release(built, content, key, previous, now, tender))
    OcdsRelease.objects.bulk_create(new)
    return new


def releases_publish_all(*, now=None) -> int:
    """Publish every published tender (the nightly run and the demo); each in its own transaction. Returns how many
    releases were stored."""
    count = 0
    for tender in tenders_announced().order_by("pk"):
        count += len(releases_publish(tender=tender, now=now))
    return count


def publication_enqueue(*, tender_id: int) -> None:
    """Queue the publishing of a tender with the caller's transaction (common.outbox): it runs after the commit,
    once, however many changes the transaction made."""
    enqueue(TASK, kwargs={"tender_id": tender_id}, dedupe_key=f"ocds:{tender_id}")
