"""The OpenAPI schema's error responses: every refusal is the same body (common.api.exception_handler,
docs/api-errors.md), declared once as the component `Error` and added to every operation by a postprocessing hook
(SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) instead of on each view.

Which statuses an operation lists follows from what the schema already says about it:

- 400 when it takes a body or query parameters (bad input);
- 401 and 403 when it needs credentials (an operation whose `security` is absent or empty takes anonymous requests);
- 404 when its path names an object;
- 429 for all (rate limits, sign-in lockout);
- `4XX` for the rest (405, 409, 413, 415): the same body.

A response an operation declares itself (with a body of its own) is kept.
"""

from __future__ import annotations

ERROR = "Error"
ERROR_ITEM = "ErrorItem"
_REF = {"$ref": f"#/components/schemas/{ERROR}"}

_ITEM_PROPERTIES = {
    "code": {
        "type": "string",
        "description": "What went wrong, for programs: stable, snake_case (docs/api-errors.md lists every code).",
        "example": "quantity_not_positive",
    },
    "detail": {
        "type": "string",
        "description": "The same for people, in the request's language (Accept-Language).",
        "example": "数量应为正整数",
    },
    "field": {
        "type": "string",
        "nullable": True,
        "description": "The request field concerned as a dotted path (`lines.0.quantity`), a query parameter or "
        "header name, or null for the request as a whole.",
        "example": "lines.0.quantity",
    },
}

SCHEMAS = {
    ERROR_ITEM: {"type": "object", "properties": _ITEM_PROPERTIES, "required": ["code", "detail", "field"]},
    ERROR: {
        "type": "object",
        "description": "Every refusal of the API (4xx): the first problem on top; a serializer's validation errors "
        "all under `errors`.",
        "properties": {
            **_ITEM_PROPERTIES,
            "errors": {
                "type": "array",
                "items": {"$ref": f"#/components/schemas/{ERROR_ITEM}"},
                "description": "Every problem a serializer found (400 only), each with its own field.",
            },
        },
        "required": ["code", "detail", "field"],
    },
}

DESCRIPTIONS = {
    "400": "Bad input: nothing was changed.",
    "401": "Not signed in, or the token is unknown, expired or revoked.",
    "403": "Signed in but not allowed (role, deactivated organisation).",
    "404": "Not there, or another organisation's.",
    "429": "Over the rate limit: Retry-After says how many seconds to wait.",
    "4XX": "Refused (method, media type, state of the object, body size): the same error body.",
}


def _error_response(status: str) -> dict:
    response = {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": _REF}}}
    if status == "429":
        response["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}
        }
    return response


def _statuses(path: str, operation: dict) -> list[str]:
    statuses = []
    takes_input = "requestBody" in operation or any(p.get("in") == "query" for p in operation.get("parameters", []))
    if takes_input:
        statuses.append("400")
    if any(requirement for requirement in operation.get("security") or []):
        statuses += ["401", "403"]
    if "{" in path:
        statuses.append("404")
    return [*statuses, "429", "4XX"]


def _declared_without_body(response: dict) -> bool:
    """A response the view declared loosely (`responses={400: dict}`): the error body describes it better."""
    content = response.get("content") or {}
    schema = (content.get("application/json") or {}).get("schema") or {}
    return not schema or schema.get("type") == "object" and not schema.get("properties")


def error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the `Error` component and the error responses of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, operation):
                if status not in responses or _declared_without_body(responses[status]):
                    responses[status] = _error_response(status)
    return result
