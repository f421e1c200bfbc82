from django import template
from django.utils.html import format_html

register = template.Library()


def _memory(context, form):
    memory = context.get("form_memory")
    return memory if memory and memory.get("form") == form else None


@register.simple_tag(takes_context=True)
def typed(context, form, name, default=""):
    """What the user typed into `name` before the error, else the default."""
    memory = _memory(context, form)
    return memory["values"].get(name, default) if memory else default


@register.simple_tag(takes_context=True)
def field_error(context, form, name):
    memory = _memory(context, form)
    if not memory or memory["field"] != name:
        return ""
    return format_html('<p class="field-error" id="{}-{}-error" role="alert">{}</p>', form, name, memory["message"])


@register.simple_tag(takes_context=True)
def invalid(context, form, name):
    """aria-invalid and aria-describedby on the input the error is about."""
    memory = _memory(context, form)
    if not memory or memory["field"] != name:
        return ""
    return format_html(' aria-invalid="true" aria-describedby="{}-{}-error"', form, name)


@register.simple_tag(takes_context=True)
def selected_if(context, form, name, value, default=""):
    chosen = typed(context, form, name, default)
    return " selected" if str(chosen) == str(value) else ""
