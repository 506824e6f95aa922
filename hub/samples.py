"""Real PDF, DOCX and PPTX documents built from text, for the demo company and the tests."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from fpdf import FPDF
from pptx import Presentation
from pptx.util import Inches
from pptx.util import Pt


def _latin1(text: str) -> str:
    # the core PDF fonts cover Latin-1 only; anything else becomes '?'
    return text.encode("latin-1", "replace").decode("latin-1")


def make_pdf(title: str, pages: Sequence[str]) -> bytes:
    """A PDF with one page per entry of `pages`, the title on the first."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    for number, body in enumerate(pages, start=1):
        pdf.add_page()
        if number == 1:
            pdf.set_font("Helvetica", "B", 20)
            pdf.multi_cell(0, 10, _latin1(title))
            pdf.ln(4)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, _latin1(body))
        # the footer sits inside the bottom margin; without this it would start a new page
        pdf.set_auto_page_break(auto=False)
        pdf.set_y(-15)
        pdf.set_font("Helvetica", "I", 8)
        pdf.cell(0, 10, f"Page {number}", align="C")
        pdf.set_auto_page_break(auto=True, margin=15)
    return bytes(pdf.output())


def make_docx(title: str, paragraphs: Sequence[str]) -> bytes:
    document = Document()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pptx(title: str, slides: Sequence[tuple[str, str]]) -> bytes:
    """A deck: a title slide, then one slide per (heading, body) pair."""
    deck = Presentation()
    deck.slide_width = Inches(13.333)
    deck.slide_height = Inches(7.5)
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = title
    cover.placeholders[1].text = "Prepared for you"
    for heading, body in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading
        frame = slide.placeholders[1].text_frame
        frame.text = body
        for paragraph in frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(20)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
