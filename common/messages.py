"""Stored texts that people read later, kept as what they mean: a message and its parameters, rendered in the
reader's language when shown.

A `Message` is the message's source text (Chinese, the msgid of the translation catalogs, with `%(name)s`
placeholders; write it with `gettext_noop` so makemessages finds it) and its parameters. A parameter may itself be
a message (`Message` or its stored dict), rendered first: an alert's summary inside an inquiry's title. Stored as
JSON (`{"text": …, "params": {…}}`) beside the rendered Chinese text, which stays the fallback for rows written before
the message was kept and for plain-text uses (e-mail, search).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, pgettext

SOURCE_LANGUAGE = "zh-hans"  # source strings are Chinese: rendering in it gives the stored fallback text


@dataclass(frozen=True)
class Message:
    text: str
    params: dict[str, Any] = field(default_factory=dict)
    context: str = ""  # the msgctxt of a word whose translation depends on where it is used (pgettext)

    def as_json(self) -> dict:
        stored = {"text": self.text, "params": {k: _json(v) for k, v in self.params.items()}}
        return {**stored, "context": self.context} if self.context else stored

    def render(self) -> str:
        return render(self.as_json())

    def __str__(self) -> str:
        return self.render()

    @classmethod
    def label(cls, lazy) -> Message:
        """A translatable label (a TextChoices label, a gettext_lazy string) as a message: its source text."""
        with translation.override(SOURCE_LANGUAGE):
            return cls(str(lazy))


def _json(value):
    if isinstance(value, Message):
        return value.as_json()
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, (int, float, bool)) or value is None or isinstance(value, dict):
        return value
    return str(value)


def is_message(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("text"), str) and isinstance(value.get("params", {}), dict)


def render(stored, fallback: str = "") -> str:
    """The stored message in the active language; `fallback` when nothing is stored (or it cannot be rendered)."""
    if not is_message(stored):
        return fallback
    params = {k: _param(v) for k, v in (stored.get("params") or {}).items()}
    text = translated(stored)
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return fallback or stored["text"]


def translated(stored: dict) -> str:
    """A stored message's text (not its parameters) in the active language."""
    context = stored.get("context")
    return pgettext(context, stored["text"]) if isinstance(context, str) and context else gettext(stored["text"])


def _param(value):
    if is_message(value):
        return render(value, "")
    if isinstance(value, list):  # lines, each a message or a value: one a line
        return "\n".join(str(_param(v)) for v in value)
    return value


def text_of(value) -> tuple[str, dict]:
    """(the text to store, rendered in the source language; the stored message or {}), for a Message or a string."""
    if isinstance(value, Message):
        with translation.override(SOURCE_LANGUAGE):
            return value.render(), value.as_json()
    return str(value or ""), {}
