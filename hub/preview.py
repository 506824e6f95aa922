"""Page images and readable previews of stored files, cached on disk under HUB_CACHE_DIR."""

from __future__ import annotations

import io
import os
import shutil
import subprocess  # nosec B404
import tempfile
import threading
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import bleach
from flask import current_app
from markupsafe import escape

from hub.models import AssetVersion
from hub.storage import blob_key
from hub.storage import get_storage
from hub.uploads import JPEG
from hub.uploads import PDF
from hub.uploads import PNG
from hub.uploads import PPTX

__all__ = [
    "PreviewUnavailable",
    "Slide",
    "can_render",
    "docx_html",
    "page_count",
    "render_page_png",
    "thumbnail_png",
    "pptx_slides",
    "version_bytes",
]

THUMBNAIL_WIDTH = 480
MIN_WIDTH, MAX_WIDTH = 64, 2400
SOFFICE_TIMEOUT = 180
# PDFium is not thread-safe; one render at a time per process
_pdfium_lock = threading.Lock()
_convert_lock = threading.Lock()
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


class PreviewUnavailable(RuntimeError):
    """No page image can be made for this file (type not supported, converter missing, bad page)."""


@dataclass
class Slide:
    title: str
    text: str
    images: list[bytes] = field(default_factory=list)


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def can_render(version: AssetVersion) -> bool:
    """True when page images can be made for this version here (decks need LibreOffice)."""
    if version.mime_type in (PDF, PNG, JPEG):
        return True
    return version.mime_type == PPTX and soffice_path() is not None


def version_bytes(version: AssetVersion) -> bytes:
    return get_storage().read(blob_key(version.blob_sha256))


def page_count(version: AssetVersion) -> int | None:
    if version.mime_type in (PNG, JPEG):
        return 1
    if version.mime_type not in (PDF, PPTX):
        return None
    if version.page_count:
        return version.page_count
    try:
        if version.mime_type == PPTX:
            from pptx import Presentation

            return len(Presentation(io.BytesIO(version_bytes(version))).slides)
        return _pdf_pages(version_bytes(version))
    except Exception:
        return None


def thumbnail_png(version: AssetVersion) -> bytes:
    return render_page_png(version, 1, width=THUMBNAIL_WIDTH)


def render_page_png(version: AssetVersion, page: int, width: int = 1200) -> bytes:
    """PNG of one page (1-based), made once and then served from the cache."""
    width = max(MIN_WIDTH, min(MAX_WIDTH, int(width)))
    if page < 1:
        raise PreviewUnavailable("Pages are numbered from 1.")
    cached = _cache_dir("pages", version.blob_sha256) / f"{page}-{width}.png"
    if cached.is_file():
        return cached.read_bytes()
    if version.mime_type in (PNG, JPEG):
        if page != 1:
            raise PreviewUnavailable("An image has one page.")
        png = _image_png(version_bytes(version), width)
    elif version.mime_type == PDF:
        png = _pdf_page_png(version_bytes(version), page, width)
    elif version.mime_type == PPTX:
        png = _pdf_page_png(_pptx_as_pdf(version), page, width)
    else:
        raise PreviewUnavailable("This type of file has no page images.")
    _write_atomic(cached, png)
    return png


def pptx_slides(data: bytes) -> list[Slide]:
    """Title, text and pictures of each slide, for viewers that cannot show page images."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from hub.extract.pptx import slide_texts

    slides = []
    for slide in Presentation(io.BytesIO(data)).slides:
        title_shape = slide.shapes.title
        title = title_shape.text_frame.text.strip() if title_shape is not None else ""
        texts = [t for t in slide_texts(slide) if t != title]
        images = [
            shape.image.blob
            for shape in slide.shapes
            if shape.shape_type == MSO_SHAPE_TYPE.PICTURE and shape.image.content_type in (PNG, JPEG)
        ]
        slides.append(Slide(title=title, text="\n".join(texts), images=images))
    return slides


def docx_html(data: bytes) -> str:
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
    return bleach.clean("\n".join(parts), tags=ALLOWED_TAGS, attributes={}, strip=True)


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


def _cache_dir(kind: str, sha: str) -> Path:
    path = Path(current_app.config["HUB_CACHE_DIR"]) / kind / sha[:2] / sha
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def _pdf_pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    with _pdfium_lock:
        document = pdfium.PdfDocument(data)
        try:
            return len(document)
        finally:
            document.close()


def _pdf_page_png(data: bytes, page: int, width: int) -> bytes:
    import pypdfium2 as pdfium

    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise PreviewUnavailable("The PDF could not be read.") from exc
        try:
            if page > len(document):
                raise PreviewUnavailable(f"The document has {len(document)} pages.")
            pdf_page = document[page - 1]
            scale = width / pdf_page.get_width()
            image = pdf_page.render(scale=scale).to_pil()
            pdf_page.close()
        finally:
            document.close()
    if image.width != width:
        # PDFium rounds the scaled size; callers rely on the exact width they asked for
        image = image.resize((width, max(1, round(image.height * width / image.width))))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def _image_png(data: bytes, width: int) -> bytes:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((width, width * 4))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="PNG", optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PreviewUnavailable("The image could not be read.") from exc
    return out.getvalue()


def _pptx_as_pdf(version: AssetVersion) -> bytes:
    """The deck converted to PDF by LibreOffice (when installed), cached beside its page images."""
    target = _cache_dir("pdf", version.blob_sha256) / "deck.pdf"
    if target.is_file():
        return target.read_bytes()
    soffice = soffice_path()
    if soffice is None:
        raise PreviewUnavailable("Slide images need LibreOffice (soffice), which is not installed.")
    with _convert_lock, tempfile.TemporaryDirectory(prefix="hub-convert-") as work:
        source = Path(work) / "deck.pptx"
        source.write_bytes(version_bytes(version))
        command = [
            soffice,
            f"-env:UserInstallation={Path(work, 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            work,
            str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=SOFFICE_TIMEOUT, check=True)  # nosec B603
        except (subprocess.SubprocessError, OSError) as exc:
            raise PreviewUnavailable("LibreOffice could not convert the deck.") from exc
        produced = Path(work) / "deck.pdf"
        if not produced.is_file():
            raise PreviewUnavailable("LibreOffice could not convert the deck.")
        data = produced.read_bytes()
    _write_atomic(target, data)
    return data
