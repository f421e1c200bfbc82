"""What the schema promises a client generator: a complete client without warnings, ASCII names, operationIds that
stay, the error body on every refusal, the headers the order steps read, examples that are valid requests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from openapi_schema_validator import OAS30Validator

from common.openapi import EXAMPLES, postprocess_schema
from tests.api_contract.conftest import PACKAGE

OPERATION_IDS = Path(__file__).with_name("operation_ids.txt")
ORDER_STEPS = {"submit", "cancel", "close", "accept", "reject", "remarks", "update_draft"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, by_method in schema["paths"].items():
        for method, operation in by_method.items():
            yield path, method, operation


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_generated_client_has_every_operation_and_no_warning(generation, live_schema):
    """openapi-python-client on the schema the live server publishes: no warning (a warning means an operation or a
    model was left out), a module per operation, every file name importable (ASCII)."""
    import json

    result, into = generation
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Warning" not in output and "WARNING" not in output, output
    schema = json.loads(live_schema.read_text())
    expected = {(op["tags"][0].replace("-", "_"), op["operationId"]) for _, _, op in operations(schema)}
    package = into / PACKAGE
    generated = {(f.parent.name, f.stem) for f in (package / "api").glob("*/*.py") if f.stem != "__init__"}
    assert generated == expected
    assert all(p.relative_to(into).as_posix().isascii() for p in package.rglob("*")), "non-ASCII file names"


def test_title_is_ascii_and_the_description_chinese(schema):
    assert schema["info"]["title"].isascii()
    assert "药械集采平台" in schema["info"]["description"]


def test_operation_ids_stay(schema):
    """A client calls operations by their ids: an id once published is not renamed or removed (add new ones to
    operation_ids.txt; removing one is a breaking change for every HIS and ERP)."""
    ids = [op["operationId"] for _, _, op in operations(schema)]
    assert len(ids) == len(set(ids))
    published = set(OPERATION_IDS.read_text().split())
    assert not published - set(ids), f"operations gone or renamed: {sorted(published - set(ids))}"
    assert not set(ids) - published, f"new operations: add them to {OPERATION_IDS.name}: {sorted(set(ids) - published)}"
    for path, method, op in operations(schema):
        # /api/v1/… and the public OCDS endpoints under /api/ocds/ (OCDS versions itself: its packages say "1.1")
        derived = re.sub(r"[{}]", "", re.sub(r"^/api/(v1/)?", "", path)).strip("/").replace("/", "_").replace("-", "_")
        derived = derived.removesuffix(".json")
        assert op["operationId"].startswith(re.sub(r"_(id|code|ocid)(?=_|$)", "", derived)), (method, path)


def test_every_refusal_is_documented_with_the_error_body(schema):
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "detail", "field"}
    for path, method, op in operations(schema):
        expected = {"429"}
        if op.get("requestBody") or any(p["in"] == "query" for p in op.get("parameters", [])):
            expected.add("400")
        if op.get("requestBody"):
            expected.add("413")
        if "{" in path:
            expected.add("404")
        if "auth" not in op["tags"] and "public" not in op["tags"]:  # public: read-only, no sign-in
            expected |= {"401", "403"}
            if method != "get":
                expected.add("409")
        for code in expected:
            schema_of = op["responses"].get(code, {}).get("content", {}).get("application/json", {}).get("schema")
            assert schema_of == {"$ref": "#/components/schemas/Error"}, (method, path, code)
        assert "Retry-After" in op["responses"]["429"]["headers"]


def test_idempotency_key_and_if_match_where_the_order_api_reads_them(schema):
    def headers(op):
        return {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}

    by_id = {op["operationId"]: op for _, _, op in operations(schema)}
    assert headers(by_id["orders_create"]) == {"Idempotency-Key"}
    assert {"409", "422"} <= set(by_id["orders_create"]["responses"])
    for step in ORDER_STEPS:
        assert headers(by_id[f"orders_{step}_create"]) == {"If-Match"}, step
    for create in ("deliveries_create", "receipts_create", "returns_create"):
        assert headers(by_id[create]) == {"If-Match"}
    readers = {op_id for op_id, op in by_id.items() if headers(op)}
    assert readers == {"orders_create", "deliveries_create", "receipts_create", "returns_create"} | {
        f"orders_{step}_create" for step in ORDER_STEPS
    }


def test_one_request_media_type_json_unless_a_file_is_uploaded(schema):
    components = schema["components"]["schemas"]
    for path, method, op in operations(schema):
        content = op.get("requestBody", {}).get("content")
        if not content:
            continue
        assert len(content) == 1, (method, path)
        body = next(iter(content.values()))["schema"]
        body = components[body["$ref"].rsplit("/", 1)[-1]] if "$ref" in body else body
        uploads = any(prop.get("format") == "binary" for prop in body.get("properties", {}).values())
        assert list(content) == (["multipart/form-data"] if uploads else ["application/json"]), (method, path)


def test_examples_are_valid_requests(schema):
    by_id = {op["operationId"]: op for _, _, op in operations(schema)}
    assert set(EXAMPLES) <= set(by_id)
    for op_id, example in EXAMPLES.items():
        media = by_id[op_id]["requestBody"]["content"]["application/json"]
        assert media["example"] == example
        validator = OAS30Validator({**media["schema"], "components": schema["components"]})
        errors = [e.message for e in validator.iter_errors(example)]
        assert not errors, (op_id, errors)


def test_operations_open_to_anyone_are_tagged_public(schema):
    """The rule, on the schema's sign-in and public OCDS endpoints, and on a made-up open operation."""
    public = set()
    for path, method, op in operations(schema):
        if {} in op.get("security", [{}]):
            assert op["tags"] == (["auth"] if path.startswith("/api/v1/auth/") else ["public"]), (method, path)
            public.add(op["operationId"])
    assert {"ocds_releases_list", "ocds_records_retrieve", "ocds_packages_year_retrieve"} <= public

    def tags_after_processing(security):
        operation = {"operationId": "ocds_releases_list", "tags": ["ocds"], "security": security, "responses": {}}
        made_up = {"paths": {"/api/v1/ocds/releases/": {"get": operation}}, "components": {"schemas": {}}}
        return postprocess_schema(made_up, None, None, True)["paths"]["/api/v1/ocds/releases/"]["get"]["tags"]

    assert tags_after_processing([{}]) == ["public"]
    assert tags_after_processing([{"tokenAuth": []}, {}]) == ["public"]
    assert tags_after_processing([{"tokenAuth": []}]) == ["ocds"]


def test_blank_allowed_and_optional_values_have_valid_defaults(schema):
    """A default is what a client sends when it leaves the field alone: it must be a value the field takes."""
    components = schema["components"]["schemas"]
    for name, component in components.items():
        for prop_name, prop in component.get("properties", {}).items():
            if "default" not in prop:
                continue
            validator = OAS30Validator({**prop, "components": schema["components"]})
            assert validator.is_valid(prop["default"]), (name, prop_name, prop["default"])
