"""The PDF of a contract version: its content, in the words of the contract template, with the digest and every
confirmation on it. ReportLab (as for statements) with the Adobe-GB1 CID font STSong-Light that every PDF reader
carries: nothing to download or embed (offline)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .terms import clauses

FONT = "STSong-Light"


def _styles() -> dict[str, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1, spaceAfter=3 * mm),
        "text": ParagraphStyle("text", fontName=FONT, fontSize=10, leading=15),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11),
        "mono": ParagraphStyle("mono", fontName="Courier", fontSize=8, leading=10),
    }


def contract_pdf(contract, verifications) -> bytes:
    """A4: title, number and version, the parties, the clauses, the digest, the confirmations (verified now)."""
    st = _styles()
    body = contract.content or {}
    story = [
        Paragraph(escape(_("药品集中采购购销合同")), st["title"]),
        Paragraph(
            escape(
                _("合同编号：%(n)s　第 %(v)s 版　%(s)s")
                % {"n": contract.number, "v": contract.version, "s": contract.get_status_display()}
            ),
            st["text"],
        ),
        Spacer(1, 3 * mm),
    ]
    for heading, text in clauses(contract, body):
        story.append(Paragraph(f"<b>{escape(heading)}</b>　{escape(text)}", st["text"]))
        story.append(Spacer(1, 1.5 * mm))
    story += [
        Spacer(1, 3 * mm),
        Paragraph(escape(_("合同内容摘要（SHA-256，对规范化 JSON 内容计算）：")), st["text"]),
        Paragraph(escape(contract.digest or _("（未定稿）")), st["mono"]),
        Spacer(1, 3 * mm),
    ]
    rows = [[_("签约方"), _("机构"), _("签署人"), _("签署时间"), _("算法"), _("公钥指纹"), _("验证")]]
    for v in verifications:
        c = v.confirmation
        rows.append(
            [
                c.get_party_display(),
                Paragraph(escape(c.organization.name), st["small"]),
                str(c.user),
                f"{c.signed_at:%Y-%m-%d %H:%M:%S}",
                c.algorithm,
                Paragraph(escape(c.key.fingerprint[:32]), st["mono"]),
                v.reason,
            ]
        )
    table = Table(rows, repeatRows=1, colWidths=[24 * mm, 40 * mm, 20 * mm, 30 * mm, 24 * mm, 30 * mm, 18 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)

    def footer(canvas, doc):
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 8 * mm, f"{contract.number} v{contract.version} · SHA-256 {contract.digest[:16]}…")
        canvas.drawRightString(doc.pagesize[0] - 15 * mm, 8 * mm, _("第 %(n)s 页") % {"n": doc.page})

    data = io.BytesIO()
    doc = SimpleDocTemplate(
        data,
        pagesize=A4,
        title=f"{contract.number} v{contract.version}",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return data.getvalue()
