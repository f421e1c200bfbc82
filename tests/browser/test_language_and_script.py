"""Journey 5 (part): switch to English and back; Mongolian renders vertically with a font that has the glyphs."""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_switch_language_and_back(new_page, purchaser):
    page = new_page()
    login(page, "purchaser")
    assert page.locator("h1").inner_text() == "工作台"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").inner_text() == "Workbench"
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("h1").inner_text() == "工作台"


def test_mongolian_name_is_vertical_and_rendered_with_a_mongolian_font(new_page, official, tmp_path):
    org = official.organization
    org.name_mn = "ᠡᠮ ᠦᠨ ᠬᠤᠳᠠᠯᠳᠤᠨ ᠠᠪᠬᠤ ᠲᠥᠪ"
    org.save()
    page = new_page()
    login(page, "official")
    page.goto(f"/accounts/organizations/{org.pk}/")
    element = page.locator(".mongolian").first
    assert element.inner_text().strip() == org.name_mn
    assert element.evaluate("e => getComputedStyle(e).writingMode") == "vertical-lr"
    # Taller than wide: the text runs top to bottom.
    box = element.bounding_box()
    assert box["height"] > box["width"]
    # The page's own Mongolian font face loaded (served from static/vendor/fonts, no CDN).
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.includes('Platform Mongolian')).map(f => f.status)"
    )
    assert loaded == ["loaded"], loaded
    element.screenshot(path=str(tmp_path / "mongolian.png"))
