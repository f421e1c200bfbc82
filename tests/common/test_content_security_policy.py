"""The Content-Security-Policy header is sent, allows scripts from this site only, and no page, template or API docs
page needs more: no inline script or handler, nothing from another origin (ReDoc's fonts included)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_sends_the_policy(client):
    directives = policy(client.get("/accounts/login/"))
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in " ".join(directives["script-src"] + directives["default-src"])


def test_api_answers_carry_it_too(client):
    assert "script-src 'self'" in client.get("/api/v1/").headers["Content-Security-Policy"]


def _inline_scripts(html: str) -> list[str]:
    return [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]


def test_swagger_ui_and_redoc_have_no_inline_script_and_load_nothing_from_elsewhere(client):
    client.force_login(UserFactory(roles=["purchaser"]))
    for url in ("/api/docs/", "/api/redoc/"):
        html = client.get(url).content.decode()
        assert _inline_scripts(html) == [], url
        assert not re.search(r"(src|href)=\"(https?:)?//", html), url
        assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_no_template_has_an_inline_script_or_handler():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(TEMPLATES)}: {tag}" for tag in _inline_scripts(text)]
        found += [f"{path.relative_to(TEMPLATES)}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        found += [f"{path.relative_to(TEMPLATES)}: javascript: URL" for _ in re.findall(r"javascript:", text)]
    assert found == []
