from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

ARROWS = {"ascending": "▲", "descending": "▼", "": "↕"}


@register.simple_tag
def sort_th(listing, key: str, css: str = ""):
    """A sortable column header: a link toggling the order, `aria-sort` and an arrow that is not colour."""
    column = listing.columns[key]
    state = listing.sort_state(key)
    hint = {"ascending": _("升序"), "descending": _("降序"), "": _("点击排序")}[state]
    return format_html(
        '<th{}{} scope="col"><a class="sort-link" href="?{}" title="{}">{} <span aria-hidden="true">{}</span></a></th>',
        format_html(' class="{}"', css) if css else "",
        format_html(' aria-sort="{}"', state) if state else "",
        listing.sort_query(key),
        hint,
        column.label,
        ARROWS[state],
    )


@register.simple_tag
def export_link(listing, label=None):
    return format_html(
        '<a class="button export-link" href="?{}" download>{}</a>', listing.export_query(), label or _("导出 Excel")
    )
