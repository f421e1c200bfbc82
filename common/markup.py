"""Marking the data people typed or that names things (products, organisations, people, regions, tenders) in the
page's markup: such text is Chinese whatever language the page is in, so its element says so (`lang="zh"`), as
mixed-language HTML should. Screen readers pronounce it right, and the English pages' check skips it.

Templates mark such a value with the `zh` filter (`{{ org.name|zh }}`, `{{ order.hospital|zh }}`,
`common.templatetags.display`), which renders `<span lang="zh">…</span>`; plain-text uses (`str()`, exports, the
option labels of forms) are unchanged. (An object's `__html__` would not do: templates call `str()` on objects
before escaping them.)
"""

from __future__ import annotations

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from common.messages import is_message, render, translated

DATA_LANGUAGE = "zh"


def mark_data(value) -> SafeString | str:
    """`<span lang="zh">value</span>`, escaped; an empty value stays empty (templates test it with |default)."""
    if value is None or value == "":
        return value
    return format_html('<span lang="{}">{}</span>', DATA_LANGUAGE, str(value))


def format_marked(text: str, params: dict, *, names=(), html: bool = True) -> SafeString | str:
    """`text % params` for a page: every parameter escaped, those in `names` (data people typed or that names things)
    marked as data; `html=False` gives the plain text (a PDF, an e-mail) with nothing marked."""
    if not html:
        return text % params
    escaped = {
        k: (mark_data(v) if k in names and v not in (None, "") else conditional_escape(v)) for k, v in params.items()
    }
    return mark_safe(conditional_escape(text) % escaped)  # text and every parameter escaped above


def render_marked(stored, fallback: str = "", *, names=()) -> SafeString | str:
    """A stored message (common.messages) in the reader's language for a page: the parameters in `names` marked as
    data when they are plain values (a name, a typed reason), in the reader's language when they are messages
    themselves; `fallback` (escaped, marked as data: a text stored in Chinese) when nothing is stored."""
    if not is_message(stored):
        return mark_data(fallback)
    params = stored.get("params") or {}
    plain = {k for k in names if not is_message(params.get(k))}
    values = {k: render(v, "") if is_message(v) else v for k, v in params.items()}
    try:
        return format_marked(translated(stored), values, names=plain)
    except (KeyError, TypeError, ValueError):
        return mark_data(fallback or stored["text"])
