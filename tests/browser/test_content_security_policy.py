"""The pages, the charts, Swagger UI and ReDoc work under the Content-Security-Policy: the browser reports no
violation, loads nothing from another origin, and each page's own content appears."""

from datetime import timedelta

import pytest

from settlement.generation import generate_statements
from settlement.models import SettlementStatement
from tests.browser.conftest import login
from tests.settlement.world import build_world, month_start, receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world():
    w = build_world(prefix="C")
    period = month_start(1)
    receive(w, packs=7, on=period + timedelta(days=2))
    generate_statements(month=period)
    return w


def watch(page, origin: str) -> list[str]:
    """What the browser refused or fetched elsewhere while the page was open: CSP violations as the console reports
    them (Chromium logs each one as an error), the violation events of the document, and requests to other origins."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "request",
        lambda r: problems.append(f"elsewhere: {r.url}") if not r.url.startswith((origin, "data:", "blob:")) else None,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation event: ' + e.violatedDirective + ' ' "
        "+ e.blockedURI))"
    )
    return problems


def visit(page, path: str, ready: str, state: str = "visible") -> None:
    page.goto(path)
    page.locator(ready).first.wait_for(state=state, timeout=60_000)  # the docs build the whole schema first
    page.wait_for_load_state("networkidle")


def test_pages_charts_and_api_docs_run_without_violations(new_page, live_server, world):
    page = new_page()
    problems = watch(page, live_server.url)
    visit(page, "/accounts/login/", "#id_username")
    login(page, "Cfund")
    statement = SettlementStatement.objects.get()
    visit(page, "/", "main")
    visit(page, "/settlement/", "svg[role=img]")  # the statements' monthly chart (pygal, drawn on the server)
    visit(page, f"/settlement/{statement.pk}/", "tr[data-line]")
    visit(page, "/tenders/", "main")
    # the language switch posts its form when changed: bound by the site's script, not an inline handler
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    visit(page, "/api/docs/", ".swagger-ui .opblock")  # Swagger UI, started by its script file
    # ReDoc, with no font or logo from the network: its menu and the API's title (in a scrolled pane Playwright does
    # not call visible)
    visit(page, "/api/redoc/", ".api-info h1", state="attached")
    assert page.locator(".menu-content li[role=menuitem]").first.is_visible()
    assert page.locator(".api-info h1").inner_text().startswith("Yaoxie Platform API")
    assert "药械集采平台" in page.locator(".api-info").inner_text()
    assert problems == []


def test_a_violation_would_be_seen(new_page, live_server):
    """The watch catches an inline script: the policy is in force in this browser (on the sign-in page, which needs
    no data: no settlement world is built for it)."""
    page = new_page()
    problems = watch(page, live_server.url)
    visit(page, "/accounts/login/", "#id_username")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.ran") is None
    assert any("Content Security Policy" in p for p in problems), problems
