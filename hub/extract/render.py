"""Page images and readable previews made from file bytes, and decks converted to PDF by LibreOffice.
These run in a bounded child process (hub.extract.isolated), so each is a generator yielding its one result."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess  # nosec B404
import time
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

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


# seconds past a deck's limit at which LibreOffice is killed even when the job that runs it is gone
BACKSTOP_SECONDS = 2
# how LibreOffice says an allocation failed under the memory ceiling (it may also just abort)
OUT_OF_MEMORY = ("failed to map segment", "memory allocation failed", "bad_alloc", "cannot allocate memory")


@dataclass
class Slide:
    title: str
    text: str
    images: list[bytes] = field(default_factory=list)


@dataclass
class Conversion:
    """How a LibreOffice run went: `problem` is None when the PDF was written, else "time", "memory"
    (out of memory, or crashed) or "failed"; `detail` is LibreOffice's last words."""

    problem: str | None = None
    detail: str = ""


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


def pptx_pdf(folder: str, soffice: str, seconds: float) -> Iterator[Conversion]:
    """Convert folder/deck.pptx to folder/deck.pdf with LibreOffice, allowed `seconds`.

    soffice starts oosplash, which starts soffice.bin: they run in a session of their own, and the whole
    group is killed once the run ends or time is up, so no LibreOffice process outlives this job. The
    memory ceiling of the job's process applies to each of them.
    """
    work = Path(folder)
    command = [
        soffice,
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        folder,
        str(work / "deck.pptx"),
    ]
    timeout = shutil.which("timeout")
    if timeout:
        # should this job be killed before it kills LibreOffice, coreutils' timeout, first in the same
        # group, still kills the whole group a moment after the deck's limit
        command = [timeout, "--signal=KILL", f"{seconds + BACKSTOP_SECONDS:g}", *command]
    # glibc would reserve address space per thread up to 8 per core, so the ceiling a deck needs would
    # depend on the machine's cores; two arenas keep it close to the memory actually used
    environment = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    log = work / "soffice.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # nosec B603
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    ended = _wait_then_kill_group(process, seconds)
    words = log.read_text(encoding="utf-8", errors="replace").strip()
    detail = words.splitlines()[-1][:300] if words else ""
    pdf = work / "deck.pdf"
    # under the ceiling LibreOffice aborts when an allocation fails, so a crash most likely means memory
    crashed = process.returncode < 0 or process.returncode >= 128
    if not ended:
        yield Conversion("time", detail)
    elif process.returncode == 0 and pdf.is_file() and pdf.stat().st_size > 0:
        yield Conversion()
    elif crashed or any(marker in words.lower() for marker in OUT_OF_MEMORY):
        yield Conversion("memory", detail)
    else:
        yield Conversion("failed", detail)


def _wait_then_kill_group(process: subprocess.Popen, seconds: float) -> bool:
    """Whether `process` ended within `seconds`; either way its process group is then killed and it is reaped."""
    deadline = time.monotonic() + seconds
    ended = True
    # WNOWAIT leaves an ended process unreaped, so its id (the group's id) cannot be reused before the kill
    while os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.monotonic() >= deadline:
            ended = False
            break
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return ended


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
