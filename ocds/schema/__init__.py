"""Offline validation of what the platform publishes against the OCDS 1.1.5 schemas and the extensions it uses.

The files beside this module are copies, unchanged, of the official schemas (Apache License 2.0, see LICENSE):
`release-schema.json`, `release-package-schema.json` and `record-package-schema.json` of OCDS 1.1.5, and
`record-schema.json` (open-contracting/standard, commit 0871878d), which the record-package schema refers to by its
1__2__0 id. `extensions/lots` and `extensions/bids` are the `v1.1.5` tags of open-contracting-extensions/
ocds_lots_extension and ocds_bid_extension. Each extension's `release-schema.json` is a JSON Merge Patch (RFC 7386)
of the core release schema: the patches are merged in, and the patched schema is registered under the core's id,
so release packages and the records' embedded and compiled releases are all checked with the extensions. Nothing is
fetched from the network.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

HERE = Path(__file__).resolve().parent
CORE = "https://standard.open-contracting.org/schema/1__1__5/"
RECORD = "https://standard.open-contracting.org/schema/1__2__0/record-schema.json"
EXTENSIONS = ("lots", "bids")
# The extension.json of each extension used, as the packages' `extensions` list names them.
EXTENSION_URLS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
]


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def merge_patch(target, patch):
    """RFC 7386: objects merge member by member, `null` removes a member, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@cache
def release_schema() -> dict:
    """The core release schema with the extensions' patches merged in."""
    schema = _read(HERE / "release-schema.json")
    for name in EXTENSIONS:
        schema = merge_patch(schema, _read(HERE / "extensions" / name / "release-schema.json"))
    return schema


@cache
def _registry() -> Registry:
    documents = {
        CORE + "release-schema.json": release_schema(),
        CORE + "release-package-schema.json": _read(HERE / "release-package-schema.json"),
        CORE + "record-package-schema.json": _read(HERE / "record-package-schema.json"),
        RECORD: _read(HERE / "record-schema.json"),
    }
    return Registry().with_resources(
        (uri, Resource.from_contents(contents, default_specification=DRAFT4)) for uri, contents in documents.items()
    )


def _validator(name: str) -> Draft4Validator:
    registry = _registry()
    return Draft4Validator(registry.contents(CORE + name), registry=registry, format_checker=FormatChecker())


def _errors(validator: Draft4Validator, document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def release_package_errors(package: dict) -> list[str]:
    """Errors of a release package (empty when valid)."""
    return _errors(_validator("release-package-schema.json"), package)


def record_package_errors(package: dict) -> list[str]:
    """Errors of a record package, its embedded releases and compiled releases included (empty when valid)."""
    return _errors(_validator("record-package-schema.json"), package)
