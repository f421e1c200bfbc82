"""Forms that post and redirect keep what the user typed when the service refuses it.

On a DomainError the view calls `remember(request, "inquiry", exc)`: the posted values, the field the error names
and its message go into the session; the page it redirects to gets them back once (`form_memory` in the template
context) and the `{% typed %}`, `{% field_error %}` and `{% invalid %}` tags put the values back in the inputs and
the message next to the field — every message on its field when the service refused several at once
(`common.errors.Refusals`).
"""

from __future__ import annotations

import re

KEY = "form_memory"
SECRET_FIELDS = {"csrfmiddlewaretoken", "password", "version"}


def remember(
    request,
    form: str,
    exc,
    *,
    lines: list[dict] | None = None,
    key: str = "",
    names: dict[str, str] | None = None,
    field: str | None = None,
    inputs=None,
) -> None:
    """Keep the posted values and the error for the page the view redirects to.

    A service names a line's field `lines[2].packs`; with the `lines` the view passed it, the line's id under `key`
    and the input suffixes in `names` ({"packs": "packs"}), the error lands on the input `<form>-<id>-packs`;
    `field` names the input of the first error outright; `inputs` (a function of a field the service names) the input
    of each error."""
    values = {k: v for k, v in request.POST.items() if k not in SECRET_FIELDS}
    chosen = {
        k: request.POST.getlist(k) for k in request.POST if k not in SECRET_FIELDS and len(request.POST.getlist(k)) > 1
    }

    def input_of(name: str) -> str:
        if inputs is not None:
            return inputs(name) or name
        match = re.fullmatch(r"lines\[(\d+)\]\.(\w+)", name)
        if match and lines is not None and int(match.group(1)) < len(lines):
            line = lines[int(match.group(1))]
            suffix = (names or {}).get(match.group(2), match.group(2))
            return f"{form}-{line.get(key)}-{suffix}"
        return name

    field = input_of(field or getattr(exc, "field", None) or "")
    # every refusal found with this one (common.errors.Refusals) on its own input; the first keeps the focus
    errors = {}
    for other in getattr(exc, "others", None) or []:
        name = input_of(other.field or "")
        if name and name != field and name not in errors:
            errors[name] = str(other.message)
    request.session[KEY] = {
        "form": form,
        "values": values,
        "lists": chosen,
        "field": field,
        "message": str(getattr(exc, "message", exc)),
        "errors": errors,
    }


def recall(request) -> dict | None:
    session = getattr(request, "session", None)
    if session is None or KEY not in session:
        return None
    return session.pop(KEY)
