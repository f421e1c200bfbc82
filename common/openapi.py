"""The OpenAPI schema as the hospitals' and manufacturers' client generators read it (docs/api.md).

drf-spectacular describes each view; `postprocess_schema` (a POSTPROCESSING_HOOK, after the enum hook) adds what
holds for the whole API rather than for one view:

- the error body `{code, detail, field}` (common.api.exception_handler, docs/api-errors.md) as the `Error`
  component, on the statuses each operation can answer: 400 (a body or query parameters to refuse), 401 and 403
  (signed in, allowed), 404 (an object in the path), 409 (a write meeting a state or another writer), 413 (a body),
  422 (a reused idempotency key), 429 (every request is rate-limited);
- one request media type per operation: JSON, or multipart where a file is uploaded. The API parses form bodies
  too, but a generator given three media types of one body sends the last (multipart), which carries no lists;
- the `public` tag on operations anyone may call without signing in (the sign-in itself aside);
- examples of the main requests, which tests/api_contract checks against their schemas;
- path ids as integers (the router takes ASCII digits only, common.api.Router), and the filters' Chinese labels
  in the parameter's description instead of its schema's title, which generators turn into a module name;
- no description inherited from `common.serializers`' base classes (their docstrings are about parsing, not about
  the object).

Headers a view reads besides its body are declared next to the view with the parameters below.
"""

from __future__ import annotations

import inspect

from drf_spectacular.utils import OpenApiParameter

from . import serializers as common_serializers

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Client reference of the request (at most 100 characters; the `idempotency_key` field wins when both are "
        "sent). The same key with the same body answers the first result (200) and writes nothing; with another "
        "body 422 `idempotency_key_reused`; while the first request runs 409 `idempotency_key_in_flight`."
    ),
)

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        'The `version` of the order the client last read (`"7"`, `W/"7"` or `7`; the `version` field wins when both '
        "are sent). Someone changed it since: 409 `stale`, nothing changed."
    ),
)

ERROR_ITEM = {
    "type": "object",
    "description": "One problem with the request (docs/api-errors.md).",
    "properties": {
        "code": {"type": "string", "description": "Stable, English, snake_case: branch on it.", "example": "required"},
        "detail": {"type": "string", "description": "The same for people, in the request's language."},
        "field": {
            "type": "string",
            "nullable": True,
            "description": "The field concerned: a dotted path into the body, a query parameter or a header name; "
            "null for the request as a whole.",
        },
    },
    "required": ["code", "detail", "field"],
}

ERROR = {
    "type": "object",
    "description": "Every refusal of the API (docs/api-errors.md). A serializer finding several problems answers "
    "the first at the top and all of them under `errors`.",
    "properties": {
        **ERROR_ITEM["properties"],
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorItem"}},
    },
    "required": ["code", "detail", "field"],
}

ERROR_STATUSES = {
    "400": "Bad input (`invalid`, `required`, `out_of_range`, the app's own codes): nothing was changed.",
    "401": "Not signed in, or the token is unknown, expired or revoked (`not_authenticated`, `authentication_failed`).",
    "403": "Signed in but not allowed: role, organisation deactivated (`permission_denied`, `organization_inactive`).",
    "404": "Not there, or another organisation's (`not_found`).",
    "409": "The object's state does not allow the step, or someone changed it first (`stale`, the app's own codes).",
    "413": "The body is larger than the platform takes (`body_too_large`, `file_too_large`).",
    "422": "The idempotency key was used for another request (`idempotency_key_reused`): nothing was written.",
    "429": "Over the rate limit or locked out (`throttled`, `locked_out`); `Retry-After` says how many seconds to wait.",
}

ID_PATTERN = "^[0-9]{1,19}$"
WRITE_METHODS = {"post", "put", "patch", "delete"}

# Examples of the main requests, by operationId (tests/api_contract/test_schema.py validates each against its schema).
EXAMPLES = {
    "auth_token_create": {"username": "his-user", "password": "••••••••"},
    "auth_tokens_create": {"name": "某医院 HIS", "expires_in_days": 90},
    "orders_create": {
        "distributor": 12,
        "lines": [{"listing": 345, "packs": 10}, {"listing": 346, "packs": 5, "remarks": "冷链"}],
        "submit": True,
        "idempotency_key": "HIS-20261207-0001",
    },
    "orders_accept_create": {"reason": "已备货", "version": 2},
    "deliveries_create": {
        "order": 1001,
        "invoice_number": "INV-20261207-01",
        "lines": [{"order_line": 2001, "packs": 10, "batch_number": "B2026120", "expiry_date": "2028-06-30"}],
        "version": 3,
    },
    "receipts_create": {"delivery": 501, "remarks": "整单验收"},
    "bids_create": {"lot": 7, "product": 88, "price": "0.4321", "supply_capacity": 100000},
}


def _base_docstrings() -> set[str]:
    return {
        inspect.cleandoc(cls.__doc__)
        for cls in vars(common_serializers).values()
        if inspect.isclass(cls) and cls.__module__ == common_serializers.__name__ and cls.__doc__
    }


def _component(schemas: dict, schema: dict) -> dict:
    ref = schema.get("$ref", "")
    return schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema


def _uploads_file(schemas: dict, schema: dict) -> bool:
    return any(prop.get("format") == "binary" for prop in _component(schemas, schema).get("properties", {}).values())


def _one_media_type(operation: dict, schemas: dict) -> None:
    content = operation.get("requestBody", {}).get("content")
    if not content or len(content) == 1:
        return
    schema = next(iter(content.values()))["schema"]
    keep = "multipart/form-data" if _uploads_file(schemas, schema) else "application/json"
    if keep in content:
        operation["requestBody"]["content"] = {keep: content[keep]}


def _parameters(operation: dict) -> None:
    for param in operation.get("parameters", []):
        schema = param.get("schema", {})
        if param["in"] == "path" and schema.get("pattern") == ID_PATTERN:
            param["schema"] = {"type": "integer", "format": "int64", "minimum": 0}
        title = schema.pop("title", None)
        if title:
            param["description"] = f"{title}\n\n{param['description']}" if param.get("description") else title


def _error_statuses(method: str, path: str, operation: dict) -> list[str]:
    anonymous = {} in operation.get("security", [{}])
    params = operation.get("parameters", [])
    statuses = ["429"]
    if operation.get("requestBody") or any(p["in"] == "query" for p in params):
        statuses.append("400")
    if not anonymous:
        statuses += ["401", "403"]
    elif method in WRITE_METHODS:
        statuses.append("403")  # the sign-in of a deactivated organisation's user
    if "{" in path:
        statuses.append("404")
    if method in WRITE_METHODS and not anonymous:
        statuses.append("409")
    if operation.get("requestBody"):
        statuses.append("413")
    if any(p["in"] == "header" and p["name"] == IDEMPOTENCY_KEY.name for p in params):
        statuses.append("422")
    return statuses


def _add_errors(method: str, path: str, operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    for code in _error_statuses(method, path, operation):
        if code in responses:
            continue
        response = {
            "description": ERROR_STATUSES[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if code == "429":
            response["headers"] = {
                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}
            }
        responses[code] = response


def postprocess_schema(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    inherited = _base_docstrings()
    for schema in schemas.values():
        if schema.get("description") in inherited:
            del schema["description"]
    schemas["ErrorItem"] = ERROR_ITEM
    schemas["Error"] = ERROR
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            _parameters(operation)
            _one_media_type(operation, schemas)
            _add_errors(method, path, operation)
            if {} in operation.get("security", [{}]) and "auth" not in operation.get("tags", []):
                operation["tags"] = ["public"]
            example = EXAMPLES.get(operation.get("operationId"))
            if example is not None:
                operation["requestBody"]["content"]["application/json"]["example"] = example
    return result
