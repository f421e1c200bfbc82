"""Charts: SVG drawn on the server by pygal (pinned in requirements.txt), inlined in the page.

Nothing loads from the network: pygal's tooltip script is turned off (`js=[]`), so the page gets plain SVG with
its own stylesheet. Each series differs in more than colour — its own dash pattern and marker size, named in
an HTML legend that draws the same line sample — and every chart comes with its numbers as a table
(`includes/chart.html`), the text alternative for screen readers and for printing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pygal
from django.utils.html import escape
from django.utils.safestring import mark_safe
from pygal.style import Style

# Dark enough on white (≥ 4.5:1), and told apart by dash and marker as well.
COLORS = ("#0b5f8a", "#b91c1c", "#15803d", "#7c3aed", "#b45309", "#374151")
DASHES = ("", "8,5", "2,4", "12,4,2,4", "4,4", "1,3")
DOTS = (4, 3, 5, 3, 4, 3)
FONT = 'system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif'


@dataclass
class Series:
    label: str
    values: list  # one value (or None for a gap) per x label
    dashed: bool | None = None  # None: the series' place decides
    formatted: list[str] = field(default_factory=list)  # how the table shows each value


@dataclass
class Chart:
    title: str
    x_title: str
    y_title: str
    x_labels: list[str]
    series: list[Series]
    svg: str = ""
    legend: list[dict] = field(default_factory=list)
    names: bool = False  # the x labels name things (lots, hospitals): the table marks them as data (common.markup)

    @property
    def rows(self) -> list[dict]:
        """The text alternative: one row per x label, one cell per series."""
        return [
            {"label": x, "cells": [(s.formatted[i] if s.formatted else s.values[i]) for s in self.series]}
            for i, x in enumerate(self.x_labels)
        ]


def _style() -> Style:
    return Style(
        colors=COLORS,
        font_family=FONT,
        label_font_size=12,
        major_label_font_size=12,
        title_font_size=14,
        value_font_size=11,
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1f2933",
        foreground_strong="#1f2933",
        foreground_subtle="#56616d",
    )


def _svg(chart, title) -> str:
    # pygal always writes an inline script with its tooltip configuration; with no tooltip script loaded it is dead
    # weight (and the page's content security policy need not allow inline scripts), so it goes with the comments.
    svg = re.sub(r"<!--.*?-->|<script\b.*?</script>", "", chart.render(is_unicode=True), flags=re.S)
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" ', 1))


def bar_chart(
    *,
    title: str,
    x_title: str,
    y_title: str,
    x_labels: list[str],
    series: list[Series],
    value_formatter=None,
    width: int = 760,
    height: int = 320,
) -> Chart:
    """Bars per x label, one bar per series, in the line chart's colours; the series are told apart by colour and by
    the legend's and the table's labels (a bar has no dash)."""
    chart = pygal.Bar(
        js=[],
        disable_xml_declaration=True,
        explicit_size=False,
        width=width,
        height=height,
        style=_style(),
        show_legend=False,
        x_label_rotation=30 if len(x_labels) > 8 else 0,
        truncate_label=12,
        x_title=str(x_title),
        y_title=str(y_title),
        title=None,
        margin=8,
        value_formatter=value_formatter or (lambda v: f"{v:,.2f}"),
    )
    chart.x_labels = x_labels
    legend = []
    for i, s in enumerate(series):
        chart.add(str(s.label), s.values)
        legend.append({"label": s.label, "color": COLORS[i % len(COLORS)], "dash": "", "dot": 0})
    return Chart(
        title=title,
        x_title=x_title,
        y_title=y_title,
        x_labels=x_labels,
        series=series,
        svg=_svg(chart, title),
        legend=legend,
    )


def line_chart(
    *,
    title: str,
    x_title: str,
    y_title: str,
    x_labels: list[str],
    series: list[Series],
    value_formatter=None,
    width: int = 760,
    height: int = 320,
) -> Chart:
    style = _style()
    chart = pygal.Line(
        js=[],
        disable_xml_declaration=True,
        explicit_size=False,
        width=width,
        height=height,
        style=style,
        show_legend=False,
        allow_interruptions=True,
        x_label_rotation=0,
        truncate_label=-1,
        show_minor_x_labels=len(x_labels) <= 12,
        x_labels_major_every=max(1, len(x_labels) // 8),
        x_title=str(x_title),
        y_title=str(y_title),
        title=None,
        include_x_axis=True,
        margin=8,
        value_formatter=value_formatter or (lambda v: f"{v:,.2f}"),
        dots_size=3,
    )
    chart.x_labels = x_labels
    legend = []
    for i, s in enumerate(series):
        dash = DASHES[i % len(DASHES)] if s.dashed is None else ("8,5" if s.dashed else "")
        stroke = {"width": 2.5}
        if dash:
            stroke["dasharray"] = dash
        chart.add(str(s.label), s.values, stroke_style=stroke, dots_size=DOTS[i % len(DOTS)])
        legend.append(
            {
                "label": s.label,
                "color": COLORS[i % len(COLORS)],
                "dash": dash.replace(",", " "),
                "dot": DOTS[i % len(DOTS)],
            }
        )
    return Chart(
        title=title,
        x_title=x_title,
        y_title=y_title,
        x_labels=x_labels,
        series=series,
        svg=_svg(chart, title),
        legend=legend,
    )


def _attr(text) -> str:
    return escape(str(text))
