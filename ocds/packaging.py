"""Release and record packages of stored releases, and the compiled release of a record (OCDS merge rules).

Everything here is computed from stored releases only, so two readings of unchanged data are identical: a package's
`publishedDate` is the date of its latest release, not the time of the request.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from .builder.data import publisher
from .schema import EXTENSION_URLS

VERSION = "1.1"


def to_json(document: dict) -> str:
    """JSON text of a document. Amounts are Decimals with at most 4 decimals and under 16 significant digits, whose
    shortest float representation is the same decimal text, so writing them as JSON numbers loses nothing."""

    def number(value):
        if isinstance(value, Decimal):
            as_float = float(value)
            if Decimal(repr(as_float)) != value:
                raise ValueError(_("金额 %(value)s 无法无损写成 JSON 数字") % {"value": value})
            return as_float
        raise TypeError(type(value).__name__)

    return json.dumps(document, ensure_ascii=False, indent=2, default=number)


def plain(document: dict) -> dict:
    """The document as JSON would give it back (Decimals as numbers): what is stored and served."""
    return json.loads(to_json(document))


def uri(path: str) -> str:
    return f"{settings.OCDS_BASE_URI}{path}"


def _publisher() -> dict:
    centre = publisher()
    if centre is None:
        return {"name": settings.OCDS_PUBLISHER_NAME}
    entry = {"name": centre.name, "scheme": settings.OCDS_ORG_SCHEME}
    if centre.uscc:
        entry["uid"] = centre.uscc
    return entry


def _published_date(releases: list[dict], default: str | None) -> str | None:
    return max((r["date"] for r in releases), default=default)


def release_package(releases: list[dict], *, path: str, published: str | None = None) -> dict:
    """A release package of the given releases (their stored JSON)."""
    package = {
        "uri": uri(path),
        "version": VERSION,
        "extensions": EXTENSION_URLS,
        "publisher": _publisher(),
        "releases": releases,
    }
    date = _published_date(releases, published)
    if date:
        package["publishedDate"] = date
    return package


def _identifier_merge(existing: list, update: list) -> list:
    """Arrays of objects with ids merge object by object (by id, in first-seen order); other arrays replace."""
    if not update or not all(isinstance(v, dict) and "id" in v for v in update):
        return update
    by_id = {item["id"]: item for item in existing if isinstance(item, dict) and "id" in item}
    order = list(by_id)
    for item in update:
        if item["id"] not in by_id:
            order.append(item["id"])
        by_id[item["id"]] = merge(by_id.get(item["id"], {}), item)
    return [by_id[key] for key in order]


def merge(target: dict, release: dict) -> dict:
    """The OCDS merge of `release` over `target`: objects field by field, null removes, identified arrays by id."""
    result = dict(target)
    for key, value in release.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            result[key] = merge(result.get(key) if isinstance(result.get(key), dict) else {}, value)
        elif isinstance(value, list):
            result[key] = _identifier_merge(result.get(key) or [], value)
        else:
            result[key] = value
    return result


def compiled_release(releases: list[dict]) -> dict:
    """The latest value of each field: the releases merged in date order, tagged `compiled`."""
    compiled: dict = {}
    for release in releases:
        compiled = merge(compiled, {k: v for k, v in release.items() if k not in ("id", "tag")})
    latest = releases[-1]
    compiled["id"] = f"{latest['ocid']}-{latest['date']}"
    compiled["tag"] = ["compiled"]
    return {"ocid": compiled.pop("ocid"), "id": compiled.pop("id"), "date": compiled.pop("date"), **compiled}


def record_package(ocid: str, releases: list[dict]) -> dict:
    """The record of one ocid: its releases (embedded, oldest first) and the compiled release."""
    record = {"ocid": ocid, "releases": releases, "compiledRelease": compiled_release(releases)}
    return {
        "uri": uri(f"records/{ocid}/"),
        "version": VERSION,
        "extensions": EXTENSION_URLS,
        "publisher": _publisher(),
        "publishedDate": _published_date(releases, None),
        "records": [record],
    }
