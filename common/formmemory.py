"""Forms that post and redirect keep what the user typed when the service refuses it.

On a DomainError the view calls `remember(request, "inquiry", exc)`: the posted values, the field the error names
and its message go into the session; the page it redirects to gets them back once (`form_memory` in the template
context) and the `{% typed %}`, `{% field_error %}` and `{% invalid %}` tags put the values back in the inputs and
the message next to the field.
"""

from __future__ import annotations

KEY = "form_memory"
SECRET_FIELDS = {"csrfmiddlewaretoken", "password", "version"}


def remember(request, form: str, exc) -> None:
    values = {k: v for k, v in request.POST.items() if k not in SECRET_FIELDS}
    request.session[KEY] = {"form": form, "values": values, "field": getattr(exc, "field", None) or "",
                            "message": str(getattr(exc, "message", exc))}


def recall(request) -> dict | None:
    session = getattr(request, "session", None)
    if session is None or KEY not in session:
        return None
    return session.pop(KEY)
