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


# Counts the dark pixels of a PNG (decoded by the browser itself) and tells whether distinct letters of the text
# render as distinct glyphs in the element's font — missing glyphs ("tofu") all draw the same box.
INK_JS = """async ([png, selector]) => {
  const img = new Image();
  img.src = "data:image/png;base64," + png;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2] < 128) ink++;
  }
  const el = document.querySelector(selector);
  const font = getComputedStyle(el).fontFamily;
  const glyphs = new Set();
  for (const ch of new Set([...el.textContent.trim()].filter(c => c.trim()))) {
    const c = document.createElement("canvas");
    c.width = 48; c.height = 48;
    const g = c.getContext("2d");
    g.font = "32px " + font;
    g.fillText(ch, 8, 36);
    glyphs.add(c.toDataURL());
  }
  return {ink: ink / (img.width * img.height), pixels: img.width * img.height, distinctGlyphs: glyphs.size};
}"""


def test_mongolian_medicine_page_shows_its_name_vertically_in_traditional_script(new_page, purchaser):
    import base64

    from tests.factories import ProductFactory

    name_mn = "ᠵᠠᠭᠤᠷ ᠠᠷᠪᠠᠨ ᠭᠤᠷᠪᠠ"
    product = ProductFactory(
        generic_name="扎冲十三味丸",
        nhsa_code="ZA04BAL0012010102286",
        category="mongolian_patent",
        insurance_class="A",
        mongolian_medicine=True,
        dosage_form="丸剂",
        name_mn=name_mn,
    )
    page = new_page()
    login(page, "purchaser")
    # English first and back: the page and its Mongolian name in both languages.
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.goto(f"/catalog/products/{product.pk}/")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "扎冲十三味丸" in page.locator("h1").inner_text()

    element = page.locator(".mongolian-panel")
    assert element.inner_text().strip() == name_mn
    assert element.get_attribute("lang") == "mn-Mong"
    assert element.evaluate("e => getComputedStyle(e).writingMode") == "vertical-lr"
    box = element.bounding_box()
    assert box["height"] > 2 * box["width"], box  # one column, top to bottom
    page.evaluate("document.fonts.ready")
    assert page.evaluate(f"document.fonts.check('20px \"Platform Mongolian\"', {name_mn!r})")

    png = element.screenshot()
    found = page.evaluate(INK_JS, [base64.b64encode(png).decode(), ".mongolian-panel"])
    # Not blank: the letters leave ink (a few per cent of the panel); not tofu: different letters, different glyphs.
    assert found["ink"] > 0.01, found
    letters = len({c for c in name_mn if c.strip()})
    assert found["distinctGlyphs"] == letters, found
