"""Login is required everywhere except the login page, the health endpoint, the public API schema, the OCDS
publication and the public information pages and API (transparency: /public/…, /api/v1/public/…)."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# The login pages and the token exchange are how one signs in.
PUBLIC = {"/accounts/login/", "/admin/login/", "/api/v1/auth/token/", "/healthz", "/api/schema/"}
# The OCDS publication is open data (docs/ocds.md); the public information pages and their API are published to
# everyone without signing in (tests/transparency/test_public.py checks what they show).
PUBLIC_PREFIXES = ("/api/ocds/", "/public/", "/api/v1/public/")
# Paths whose answer for an anonymous visitor is not a page: the language switch redirects back,
# static files are files.
NOT_PAGES = ("/i18n/", "/static/", "/media/")


def all_paths(resolver=None, prefix="") -> list[str]:
    """Every URL pattern as a concrete path, with 1 for each parameter; format-suffix variants left out."""
    resolver = resolver or get_resolver()
    paths = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            paths += all_paths(entry, pattern)
        elif isinstance(entry, URLPattern) and "(?P<format>" not in pattern and "<drf_format_suffix" not in pattern:
            p = re.sub(r"\(\?P<\w+>[^)]*\)", "1", pattern)
            p = re.sub(r"<(?:\w+:)?\w+>", "1", p)
            p = p.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
            paths.append(re.sub(r"/+", "/", "/" + p))
    return sorted(set(paths))


@pytest.mark.django_db
def test_every_path_requires_login_except_the_public_ones():
    client = Client()
    checked = 0
    for path in all_paths():
        if path in PUBLIC or path.startswith(NOT_PAGES + PUBLIC_PREFIXES):
            continue
        response = client.get(path)
        checked += 1
        if path.startswith("/api/v1/"):
            assert response.status_code in (401, 403), (path, response.status_code)
        elif path.startswith("/admin/"):
            assert response.status_code in (302, 404), (path, response.status_code)
            if response.status_code == 302:
                assert "/login/" in response["Location"], path
        else:
            assert response.status_code == 302, (path, response.status_code)
            assert response["Location"].startswith("/accounts/login/"), path
    assert checked > 10


@pytest.mark.django_db
def test_public_paths_answer_without_login():
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code == 200
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi" in schema.content
    assert client.get("/api/ocds/releases/").status_code == 200


@pytest.mark.django_db
def test_api_docs_served_offline_for_signed_in_users(purchaser):
    client = Client()
    client.force_login(purchaser)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    # No asset comes from another host (a random CSRF token may well contain the letters "cdn").
    external = re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//[^"']+""", html)
    assert external == [], external
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
