"""A crawler of the portals' pages with Django's test client: every page reachable from a user's navigation (the
sidebar's links, and the links on those pages, one step further), and what a reader sees on each.

`visible_text` keeps the text people read: text nodes outside scripts and styles, the labels of buttons and inputs,
and the titles and placeholders of elements. An element marked `lang="zh…"` holds data people typed or that names
things (a product, an organisation, a person, a region, a tender's title, a remark, a file name): its text is kept
apart, so that the English check can skip it.

`problems` says what a reader should never see: a status or action code of a model, a model field's name, a Python
repr (`{'`, `['`, `None`), and — in English — Chinese outside the marked data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.apps import apps
from django.urls import Resolver404, resolve

SKIPPED_TAGS = {"script", "style", "noscript", "template", "svg"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
# `{'…`, `['…`, and a bare None (not "None of…", which is English)
REPR = re.compile(r"\{'|\['|\bNone\b(?! of| named)")
SNAKE = re.compile(r"(?<![\w./:@-])([a-z]+(?:_[a-z0-9]+)+)(?![\w./@-])")
LOWER_WORD = re.compile(r"(?<![A-Za-z0-9_./:@#-])([a-z]{3,}(?:_[a-z0-9]+)*)(?![A-Za-z0-9_./@-])")
# words a Chinese page may show: file formats, and the search box's example of pinyin initials
WORDS = {"xlsx", "csv", "pdf", "json", "nonce", "ffdsp"}
ARROW = re.compile(r"\b[a-z_]+\s*(?:→|->)\s*[a-z_]+\b")
# Where a crawler does not go: the admin (its own product), the API and its docs, downloads and sign-out.
SKIP_PREFIXES = ("/admin/", "/api/", "/accounts/logout", "/static/", "/media/", "/i18n/")
SKIP_WORDS = ("export", "download", ".csv", ".xlsx", ".pdf", "/pdf", "print", "template")
PER_ROUTE = 2  # at most this many pages of one route per user (detail pages of several objects look the same)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, inside zh-marked or skipped data)
        self.skip_depth = 0
        self.plain: list[str] = []  # text not marked as Chinese data
        self.marked: list[str] = []
        self.links: list[str] = []

    def _marked(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        lang = "" if tag == "html" else (a.get("lang") or "").lower()  # the page's own language marks nothing
        marked = lang.startswith(("zh", "mn")) if lang else self._marked()
        # a page's title names what it shows (a product, an order) and cannot hold markup: its text counts as data
        marked = marked or tag == "title"
        # hidden, or machine text not in any language (translate="no": a login name, a signed document's canonical
        # form): not checked
        marked_hidden = "hidden" in a or a.get("aria-hidden") == "true" or a.get("translate") == "no"
        for attr in ("title", "placeholder", "aria-label", "alt"):
            if a.get(attr):
                self._add(a[attr], marked)
        if tag == "input" and (a.get("type") or "").lower() in {"submit", "button", "reset"} and a.get("value"):
            self._add(a["value"], marked)
        if tag in VOID:
            return
        if tag in SKIPPED_TAGS or marked_hidden:
            self.skip_depth += 1
        self.stack.append((tag, marked, tag in SKIPPED_TAGS or marked_hidden))

    def handle_endtag(self, tag):
        # close up to the matching tag (HTML allows omitted end tags, e.g. </li>, </p>, </option>)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for _tag, _marked, skipped in self.stack[i:]:
                    if skipped:
                        self.skip_depth -= 1
                del self.stack[i:]
                return

    def _add(self, text: str, marked: bool):
        text = " ".join(text.split())
        if text:
            (self.marked if marked else self.plain).append(text)

    def handle_data(self, data):
        if not self.skip_depth:
            self._add(data, self._marked())


@dataclass
class Page:
    url: str
    plain: list[str]
    marked: list[str]
    links: list[str]


def parse(html: str) -> Page:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return Page("", parser.plain, parser.marked, parser.links)


def _codes() -> tuple[set[str], set[str]]:
    """The status/kind codes of every model's choices, and every model's field names, that a reader might see."""
    codes, fields = set(), set()
    for model in apps.get_models():
        if model._meta.app_label in {"admin", "auth", "contenttypes", "sessions", "django_celery_beat", "axes"}:
            continue
        for f in model._meta.get_fields():
            name = getattr(f, "name", "")
            if "_" in name:
                fields.add(name)
            for value, _label in getattr(f, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]{2,}", value):
                    codes.add(value)
    return codes, fields


_KNOWN: dict[str, set[str]] = {}


def problems(page: Page, english: bool) -> list[str]:
    if not _KNOWN:  # once, after the apps are ready
        _KNOWN["codes"], _KNOWN["fields"] = _codes()
    codes, fields = _KNOWN["codes"], _KNOWN["fields"]
    found = []
    for text in page.plain + page.marked:
        if REPR.search(text):
            found.append(f"repr: {text[:120]}")
        for m in SNAKE.finditer(text):
            if m.group(1) in codes or m.group(1) in fields:
                found.append(f"code/field {m.group(1)!r}: {text[:120]}")
        if ARROW.search(text):
            found.append(f"transition: {text[:120]}")
    for text in page.plain:
        # a whole text that is a lowercase code (`draft`, `created`): labels are words, in either language
        if text in codes:
            found.append(f"code {text!r}")
        if english and CJK.search(text):
            found.append(f"Chinese: {text[:120]}")
        if not english:
            for word in set(LOWER_WORD.findall(text)) - WORDS:
                found.append(f"word {word!r}: {text[:120]}")
    return found


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


@dataclass
class Crawl:
    pages: int = 0
    found: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # url → problems
    errors: dict[str, int] = field(default_factory=dict)  # url → status


def _followed(links: list[str]) -> list[str]:
    """The links a crawler follows: same site, not the admin, the API, downloads or sign-out."""
    result = []
    for href in links:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP_PREFIXES) or any(w in href.lower() for w in SKIP_WORDS):
            continue
        result.append(href)
    return result


def crawl(client, english: bool, depth: int = 2, per_route: int = PER_ROUTE) -> Crawl:
    """Visit "/", the pages its links lead to (the navigation), and theirs (depth steps): GET, HTML pages only, at
    most `per_route` pages of one route."""
    result = Crawl()
    seen: set[str] = set()
    per: dict[str, int] = defaultdict(int)
    frontier = ["/"]
    for _step in range(depth + 1):
        following = []
        for url in frontier:
            route = route_of(urlsplit(url).path)
            if url in seen or route is None or per[route] >= per_route:
                continue
            seen.add(url)
            per[route] += 1
            response = client.get(url)
            result.pages += 1
            if response.status_code >= 500 or response.status_code in (400, 404):
                result.errors[url] = response.status_code
                continue
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            page = parse(response.content.decode())
            for problem in problems(page, english):
                if problem not in result.found[url]:
                    result.found[url].append(problem)
            following += _followed(page.links)
        frontier = following
    return result
