"""Names and typed texts inside translated sentences are marked as data; the platform's vocabulary is translated."""

from django import forms
from django.template import Context, Template
from django.utils import translation

from common.forms import NamedCheckboxSelectMultiple, NamedSelect
from common.markup import format_marked


def test_a_name_in_a_sentence_is_marked_and_everything_escaped():
    html = format_marked("%(name)s（统一社会信用代码 %(uscc)s）", {"name": "<北辰>", "uscc": "<b>"}, names={"name"})
    assert html == '<span lang="zh">&lt;北辰&gt;</span>（统一社会信用代码 &lt;b&gt;）'


def test_plain_text_marks_nothing():
    assert format_marked("%(name)s 号", {"name": "北辰"}, names={"name"}, html=False) == "北辰 号"


def test_dosage_forms_are_translated_and_unknown_forms_marked():
    template = Template("{% load display %}{{ a|form }} / {{ b|form }}")
    with translation.override("en"):
        shown = template.render(Context({"a": "控释片", "b": "蒙药散"}))
    assert shown == 'Controlled-release tablets / <span lang="zh">蒙药散</span>'


def test_options_that_name_things_are_marked():
    choices = [("", "—"), ("1", "通辽市")]
    select = NamedSelect(choices=choices).render("region", "")
    assert '<option value="1" lang="zh">通辽市</option>' in select
    assert '<option value="" selected>—</option>' in select
    boxes = NamedCheckboxSelectMultiple(choices=choices[1:]).render("regions", [])
    assert '<span lang="zh">通辽市</span></label>' in boxes
    assert isinstance(NamedSelect(), forms.Select)


def test_roles_read_in_the_readers_language():
    from accounts.models import Role

    with translation.override("en"):
        assert Role(code="purchaser", name="医疗机构采购员").label == "Hospital purchaser"
        assert Role(code="custom", name="自定义角色").label == "自定义角色"
