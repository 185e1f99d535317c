"""A supervision notice as a Word document (.docx), laid out like the printed page: title, number, the
receiving unit and the ticket, the text, issuer and date, the explanation deadline and, once given, the
explanation. Units file these documents and answer them on paper, hence Word rather than PDF."""

from __future__ import annotations

import io
from datetime import datetime

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from rexian.core.clock import SHANGHAI
from rexian.supervision.models import Notice

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Official documents: the title in 宋体 二号 (22 pt), red; the body in 仿宋 三号 (16 pt).
TITLE_FONT, BODY_FONT = "宋体", "仿宋"
TITLE_SIZE, BODY_SIZE = 22, 16
RED = RGBColor(0xB9, 0x1C, 0x1C)


def notice_docx(notice: Notice) -> HttpResponse:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_SIZE)
    _east_asian(normal.element.get_or_add_rPr(), BODY_FONT)
    _run(_paragraph(document, centred=True), notice.title, font=TITLE_FONT, size=TITLE_SIZE, bold=True, colour=RED)
    _paragraph(document, centred=True).add_run(notice.number)
    for label, value in _facts(notice):
        if value:
            fact = _paragraph(document)
            _run(fact, f"{label}：", bold=True)
            fact.add_run(value)
    for text in notice.text.splitlines():
        _paragraph(document).add_run(text)
    if notice.explained_at:
        _run(_paragraph(document), gettext("书面说明"), bold=True)
        for text in [*notice.explanation.splitlines(), f"{notice.explained_by_name} {_day(notice.explained_at)}"]:
            _paragraph(document).add_run(text)
    content = io.BytesIO()
    document.save(content)
    filename = f"{notice.title}-{notice.number}.docx"
    return HttpResponse(
        content.getvalue(),
        content_type=CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(as_attachment=True, filename=filename)},
    )


def _facts(notice: Notice) -> list[tuple[str, str]]:
    deadline = _day(notice.explanation_due_at) if notice.explanation_due_at else ""
    return [
        (gettext("主送单位"), notice.unit.name),
        (gettext("工单编号"), notice.ticket.number),
        (gettext("诉求标题"), notice.ticket.subject),
        (gettext("签发人"), notice.issued_by_name),
        (gettext("签发日期"), _day(notice.issued_at)),
        (gettext("书面说明期限"), deadline),
    ]


def _day(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime(gettext("%Y年%m月%d日"))


def _paragraph(document: DocxDocument, *, centred: bool = False) -> Paragraph:
    paragraph = document.add_paragraph()
    if centred:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    font: str = BODY_FONT,
    size: int = BODY_SIZE,
    bold: bool = False,
    colour: RGBColor | None = None,
) -> Run:
    run = paragraph.add_run(text)
    run.font.size, run.bold = Pt(size), bold
    if colour is not None:
        run.font.color.rgb = colour
    _east_asian(run._element.get_or_add_rPr(), font)
    return run


def _east_asian(properties: CT_RPr, font: str) -> None:
    """Word takes Chinese characters' font from w:eastAsia, which python-docx's `font.name` does not set."""
    fonts = properties.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attribute), font)
