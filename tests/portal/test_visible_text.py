"""What people read on the portals' pages (issue 27, "done when"): every page reachable from each demo user's
navigation, in Chinese and in English, crawled with the test client (tests/portal/crawl.py), shows

- no model status or action code, no field name, no Python repr (`{'`, `['`, `None`);
- in English, no Chinese outside data people typed or that names things, which the markup marks (`lang="zh"`).

The demo province (`seed_demo`) is crawled once per language for the module's tests.
"""

from __future__ import annotations

import pytest

from accounts.demo import USERS
from accounts.models import User
from tests.portal.crawl import crawl
from tests.utils import client_as

pytestmark = pytest.mark.django_db
LANGUAGES = ("zh-hans", "en")


@pytest.fixture(scope="module")
def crawls(demo_province, django_db_blocker):
    """{language: {username: Crawl}} — each demo user's pages, in each language."""
    result = {}
    with django_db_blocker.unblock():
        for language in LANGUAGES:
            result[language] = {
                username: crawl(client_as(User.objects.get(username=username), language), english=language == "en")
                for username, *_rest in USERS
            }
    return result


def _problems(crawls, language: str, chinese: bool) -> list[str]:
    return sorted(
        f"{username} {url}: {problem}"
        for username, result in crawls[language].items()
        for url, found in result.found.items()
        for problem in found
        if problem.startswith("Chinese:") == chinese
    )


def test_every_user_has_pages_to_crawl(crawls):
    for language in LANGUAGES:
        for username, result in crawls[language].items():
            assert result.pages >= 5, (language, username, result.pages)


def test_links_lead_to_pages(crawls):
    errors = sorted(
        f"{language} {username} {url}: {status}"
        for language in LANGUAGES
        for username, result in crawls[language].items()
        for url, status in result.errors.items()
    )
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_codes_field_names_or_python_output(crawls, language):
    found = _problems(crawls, language, chinese=False)
    assert not found, "\n".join(found[:80])


def test_english_pages_show_no_chinese_outside_marked_data(crawls):
    found = _problems(crawls, "en", chinese=True)
    assert not found, f"{len(found)} texts:\n" + "\n".join(found[:80])
