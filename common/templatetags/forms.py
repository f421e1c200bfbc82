"""Put back what the user typed after a refused POST, and the error next to its field (common.formmemory).

`{% typed "ship" "invoice_number" %}`; for a line of a table form, `line=`: `{% typed "ship" "packs" line=l.pk
default=l.packs %}` is the input named `ship-<pk>-packs`. `{% invalid %}` marks the input the error is about
(aria-invalid, aria-describedby pointing at the message, autofocus so the keyboard lands on it)."""

from django import template
from django.utils.html import format_html

register = template.Library()


def _memory(context, form):
    memory = context.get("form_memory")
    return memory if memory and memory.get("form") == form else None


def input_name(form: str, name: str, line=None) -> str:
    return f"{form}-{line}-{name}" if line not in (None, "") else name


@register.simple_tag(takes_context=True)
def typed(context, form, name, default="", line=None):
    """What the user typed into `name` before the error, else the default."""
    memory = _memory(context, form)
    return memory["values"].get(input_name(form, name, line), default) if memory else default


def _message(memory, name: str) -> str | None:
    """The error on the input: the first refusal's, or one of the others found with it."""
    if not memory:
        return None
    if memory["field"] == name:
        return memory["message"]
    return (memory.get("errors") or {}).get(name)


@register.simple_tag(takes_context=True)
def field_error(context, form, name, line=None):
    memory = _memory(context, form)
    name = input_name(form, name, line)
    message = _message(memory, name)
    if message is None:
        return ""
    return format_html('<p class="field-error" id="{}-{}-error" role="alert">{}</p>', form, name, message)


@register.simple_tag(takes_context=True)
def invalid(context, form, name, line=None):
    """aria-invalid and aria-describedby on each input an error is about; autofocus on the first's."""
    memory = _memory(context, form)
    name = input_name(form, name, line)
    if _message(memory, name) is None:
        return ""
    if memory["field"] != name:
        return format_html(' aria-invalid="true" aria-describedby="{}-{}-error"', form, name)
    return format_html(' aria-invalid="true" aria-describedby="{}-{}-error" autofocus', form, name)


@register.simple_tag(takes_context=True)
def selected_if(context, form, name, value, default=""):
    chosen = typed(context, form, name, default)
    return " selected" if str(chosen) == str(value) else ""


@register.simple_tag(takes_context=True)
def checked_if(context, form, name, default=False, line=None):
    """checked when the box was ticked before the error (or, with no error, when `default` is true)."""
    memory = _memory(context, form)
    if memory is None:
        return " checked" if default else ""
    return " checked" if memory["values"].get(input_name(form, name, line)) else ""


@register.simple_tag(takes_context=True)
def checked_in(context, form, name, value):
    """checked when `value` was among the boxes named `name` ticked before the error."""
    memory = _memory(context, form)
    if memory is None:
        return ""
    chosen = memory.get("lists", {}).get(name) or [memory["values"].get(name)]
    return " checked" if str(value) in chosen else ""


@register.filter
def error_linked(field):
    """A Django form field rendered with its errors tied to it: aria-describedby pointing at `<id>_error` (the
    error's element) and autofocus, so the keyboard lands on the first wrong field."""
    if not field.errors:
        return field
    return field.as_widget(attrs={"aria-describedby": f"{field.auto_id}_error", "autofocus": True})
