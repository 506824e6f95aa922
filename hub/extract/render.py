"""Page images and readable previews made from file bytes. These run in a bounded child process
(hub.extract.isolated), so each is a generator yielding its one result."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field

import bleach
from markupsafe import escape

PNG = "image/png"
JPEG = "image/jpeg"
ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "h5",
    "p",
    "strong",
    "em",
    "u",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "br",
}


@dataclass
class Slide:
    title: str
    text: str
    images: list[bytes] = field(default_factory=list)


def pdf_page_count(data: bytes) -> Iterator[int]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        yield len(document)
    finally:
        document.close()


def pdf_page_png(data: bytes, page: int, width: int) -> Iterator[bytes]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        if page > len(document):
            raise ValueError(f"The document has {len(document)} pages.")
        pdf_page = document[page - 1]
        page_width = pdf_page.get_width()
        if page_width <= 0:
            raise ValueError("The page has no size.")
        image = pdf_page.render(scale=width / page_width).to_pil()
        pdf_page.close()
    finally:
        document.close()
    if image.width != width:
        # PDFium rounds the scaled size; callers rely on the exact width they asked for
        image = image.resize((width, max(1, round(image.height * width / image.width))))
    yield _png(image)


def image_png(data: bytes, width: int) -> Iterator[bytes]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        # decode at a reduced size where the format allows it (JPEG), before the full image is in memory
        image.draft("RGB", (width, width * 4))
        image.thumbnail((width, width * 4))
        yield _png(image)


def _png(image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def pptx_slide_count(data: bytes) -> Iterator[int]:
    from pptx import Presentation

    yield len(Presentation(io.BytesIO(data)).slides)


def pptx_slides(data: bytes, limit: int | None = None) -> Iterator[list[Slide]]:
    """Title, text and pictures of each slide (the first `limit`), for viewers without page images."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from hub.extract.pptx import slide_texts

    slides = []
    for slide in list(Presentation(io.BytesIO(data)).slides)[:limit]:
        title_shape = slide.shapes.title
        title = title_shape.text_frame.text.strip() if title_shape is not None else ""
        texts = [t for t in slide_texts(slide) if t != title]
        images = [
            shape.image.blob
            for shape in slide.shapes
            if shape.shape_type == MSO_SHAPE_TYPE.PICTURE and shape.image.content_type in (PNG, JPEG)
        ]
        slides.append(Slide(title=title, text="\n".join(texts), images=images))
    yield slides


def docx_html(data: bytes) -> Iterator[str]:
    """The document as clean HTML (headings, paragraphs, lists, tables), sanitized with bleach."""
    from docx import Document
    from docx.table import Table

    parts: list[str] = []
    in_list = False
    for block in Document(io.BytesIO(data)).iter_inner_content():
        if isinstance(block, Table):
            if in_list:
                parts.append("</ul>")
                in_list = False
            parts.append(_table_html(block))
            continue
        style = (block.style.name if block.style is not None else "") or ""
        html = _runs_html(block)
        if not html.strip():
            continue
        is_item = style.startswith("List")
        if is_item and not in_list:
            parts.append("<ul>")
        elif not is_item and in_list:
            parts.append("</ul>")
        in_list = is_item
        if is_item:
            parts.append(f"<li>{html}</li>")
        elif style == "Title":
            parts.append(f"<h2>{html}</h2>")
        elif style.startswith("Heading"):
            level = style.removeprefix("Heading").strip()
            number = int(level) if level.isdigit() else 1
            parts.append(f"<h{min(number + 1, 5)}>{html}</h{min(number + 1, 5)}>")
        else:
            parts.append(f"<p>{html}</p>")
    if in_list:
        parts.append("</ul>")
    yield bleach.clean("\n".join(parts), tags=ALLOWED_TAGS, attributes={}, strip=True)


def _runs_html(paragraph) -> str:
    out = []
    for run in paragraph.runs:
        text = str(escape(run.text)).replace("\n", "<br>")
        if run.bold:
            text = f"<strong>{text}</strong>"
        if run.italic:
            text = f"<em>{text}</em>"
        out.append(text)
    return "".join(out)


def _table_html(table) -> str:
    rows = []
    for row in table.rows:
        cells = "".join(f"<td>{escape(cell.text.strip())}</td>" for cell in row.cells)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tbody>{''.join(rows)}</tbody></table>"
