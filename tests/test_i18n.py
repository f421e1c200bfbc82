"""Pages speak Simplified Chinese by default, English on request; Mongolian renders vertically."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client


@pytest.mark.django_db
def test_chinese_by_default_and_english_after_switching(purchaser):
    client = Client()
    client.force_login(purchaser)
    html = client.get("/").content.decode()
    assert 'lang="zh-hans"' in html and "工作台" in html and "医疗机构采购" in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert 'lang="en"' in html and "Workbench" in html and "Hospital purchasing" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "工作台" in client.get("/").content.decode()


@pytest.mark.django_db
def test_login_page_in_english_from_the_browser_language():
    html = Client(headers={"accept-language": "en"}).get("/accounts/login/").content.decode()
    assert "Sign in" in html and "Username" in html


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["zh-hans", "en"])
def test_the_language_menu_names_each_language_in_itself(accept):
    """Someone who cannot read the current language must still find theirs: 简体中文 and English, in both modes."""
    html = Client(headers={"accept-language": accept}).get("/accounts/login/").content.decode()
    assert '<option value="zh-hans" lang="zh-hans"' in html and ">简体中文</option>" in html
    assert '<option value="en" lang="en"' in html and ">English</option>" in html
    assert "英语" not in html


def test_mongolian_class_is_vertical_with_a_font_that_has_the_glyphs():
    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text(encoding="utf-8")
    block = css[css.index(".mongolian {") : css.index("}", css.index(".mongolian {"))]
    assert "writing-mode: vertical-lr" in block
    assert "var(--font-mongolian)" in block
    assert '"Noto Sans Mongolian"' in css and "vendor/fonts/NotoSansMongolian-Regular.ttf" in css


@pytest.mark.django_db
def test_mongolian_name_is_rendered_in_the_vertical_element(official):
    from accounts.models import Region

    client = Client()
    client.force_login(official)
    org = official.organization
    org.name_mn = "ᠡᠮ ᠦᠨ ᠬᠤᠳᠠᠯᠳᠤᠨ ᠠᠪᠬᠤ ᠲᠥᠪ"
    org.save()
    html = client.get(f"/accounts/organizations/{org.pk}/").content.decode()
    assert '<div class="mongolian mongolian-panel" lang="mn-Mong"' in html and org.name_mn in html
    assert Region.objects.get(code="150100").name_mn == "ᠬᠥᠬᠡᠬᠣᠲᠠ"
