"""Words for the codes a model stores: its statuses and the actions of its history.

Each model keeps its labels in one place, beside it: its status field's `TextChoices`, and for its audit events a
map `EVENT_LABELS = {action code: gettext_lazy label}` on the model class. Pages, the API (`*_display` fields) and
exports all go through these two functions, so an event or a status reads the same everywhere. A code without a
label is a gap (the page crawler finds it); it is shown as it is rather than hidden.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist


def status_label(model, code: str, field: str = "status") -> str:
    """The label of `code` among the choices of `model.<field>` ("" for no code)."""
    if not code:
        return ""
    try:
        choices = model._meta.get_field(field).flatchoices
    except FieldDoesNotExist:
        choices = ()
    return str(dict(choices).get(code, code))


def event_label(model, action: str) -> str:
    """What the history of a `model` object calls the step `action`: its EVENT_LABELS, else the status it names."""
    label = getattr(model, "EVENT_LABELS", {}).get(action)
    return str(label) if label is not None else status_label(model, action)
