"""Dosage forms (剂型), stored as the Chinese word the catalog uses, shown in the reader's language: they are the
platform's vocabulary, not names. `dosage_form_label("片剂")` is "Tablets" in English; a form not listed is shown as
stored, marked as data (`lang="zh"`) on pages by the `form` filter (common.templatetags.display)."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

# each form in pgettext_lazy (context 剂型), written out so that makemessages lists it
DOSAGE_FORMS = {
    "片剂": pgettext_lazy("剂型", "片剂"),
    "控释片": pgettext_lazy("剂型", "控释片"),
    "缓释片": pgettext_lazy("剂型", "缓释片"),
    "肠溶片": pgettext_lazy("剂型", "肠溶片"),
    "含片": pgettext_lazy("剂型", "含片"),
    "舌下片": pgettext_lazy("剂型", "舌下片"),
    "分散片": pgettext_lazy("剂型", "分散片"),
    "薄膜衣片": pgettext_lazy("剂型", "薄膜衣片"),
    "泡腾片": pgettext_lazy("剂型", "泡腾片"),
    "胶囊剂": pgettext_lazy("剂型", "胶囊剂"),
    "肠溶胶囊": pgettext_lazy("剂型", "肠溶胶囊"),
    "缓释胶囊": pgettext_lazy("剂型", "缓释胶囊"),
    "软胶囊": pgettext_lazy("剂型", "软胶囊"),
    "颗粒剂": pgettext_lazy("剂型", "颗粒剂"),
    "注射液": pgettext_lazy("剂型", "注射液"),
    "注射用无菌粉末": pgettext_lazy("剂型", "注射用无菌粉末"),
    "口服液": pgettext_lazy("剂型", "口服液"),
    "口服溶液剂": pgettext_lazy("剂型", "口服溶液剂"),
    "合剂": pgettext_lazy("剂型", "合剂"),
    "糖浆剂": pgettext_lazy("剂型", "糖浆剂"),
    "丸剂": pgettext_lazy("剂型", "丸剂"),
    "大蜜丸": pgettext_lazy("剂型", "大蜜丸"),
    "浓缩丸": pgettext_lazy("剂型", "浓缩丸"),
    "水丸": pgettext_lazy("剂型", "水丸"),
    "散剂": pgettext_lazy("剂型", "散剂"),
    "酊剂": pgettext_lazy("剂型", "酊剂"),
    "软膏剂": pgettext_lazy("剂型", "软膏剂"),
    "乳膏剂": pgettext_lazy("剂型", "乳膏剂"),
    "贴剂": pgettext_lazy("剂型", "贴剂"),
    "滴眼剂": pgettext_lazy("剂型", "滴眼剂"),
    "气雾剂": pgettext_lazy("剂型", "气雾剂"),
    "吸入剂": pgettext_lazy("剂型", "吸入剂"),
    "栓剂": pgettext_lazy("剂型", "栓剂"),
    "饮片": pgettext_lazy("剂型", "饮片"),
}


def dosage_form_label(value) -> str | None:
    """The form in the active language; None for a form not in the list (shown as the catalog stores it)."""
    label = DOSAGE_FORMS.get(str(value or ""))
    return None if label is None else str(label)
