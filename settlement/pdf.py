"""PDF exports of statements and settlement reports (ReportLab).

Chinese is set in the Adobe-GB1 CID font STSong-Light, one of the standard CJK fonts every PDF reader carries: nothing
to embed or install on the server, and files stay small."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

FONT = "STSong-Light"
WRAP = 16  # cells longer than this many characters wrap inside their column


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return (
        ParagraphStyle("title", fontName=FONT, fontSize=14, leading=18, spaceAfter=2 * mm),
        ParagraphStyle("fact", fontName=FONT, fontSize=9, leading=12),
        ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10),
    )


def _text(value) -> str:
    return "" if value is None else str(value)


def table_pdf(title: str, header: list[str], rows: list[list], *, facts: list[tuple[str, object]] = ()) -> bytes:
    """A landscape A4 document: the title, label：value facts, then the table (header repeated on every page)."""
    title_style, fact_style, cell_style = _styles()
    story = [Paragraph(escape(title), title_style)]
    story += [Paragraph(f"{escape(label)}：{escape(_text(value))}", fact_style) for label, value in facts]
    story.append(Spacer(1, 3 * mm))

    def cell(value):
        text = _text(value)
        return Paragraph(escape(text), cell_style) if len(text) > WRAP else text

    table = LongTable([list(header)] + [[cell(v) for v in row] for row in rows], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)

    def page_number(canvas, doc):
        canvas.setFont(FONT, 8)
        canvas.drawRightString(doc.pagesize[0] - 12 * mm, 8 * mm, _("第 %(n)s 页") % {"n": doc.page})

    data = io.BytesIO()
    doc = SimpleDocTemplate(
        data,
        pagesize=landscape(A4),
        title=title,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
    )
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return data.getvalue()
