"""Text extraction by MIME type. Extraction never raises: a file whose text cannot be read is still kept.

The parsers run in a child process (hub.extract.isolated) so that a hostile file costs at most the
configured time and memory; the text read before a limit was hit is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from hub.extract import isolated
from hub.extract.base import Extraction
from hub.extract.base import Extractor
from hub.extract.base import Unreadable
from hub.extract.docx import extract_docx
from hub.extract.pdf import extract_pdf
from hub.extract.pptx import extract_pptx
from hub.extract.text import extract_html
from hub.extract.text import extract_text
from hub.models import ExtractionStatus

__all__ = ["EXTRACTORS", "Extraction", "Limits", "extract", "has_extractor"]

EXTRACTORS: dict[str, Extractor] = {
    "application/pdf": extract_pdf,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": extract_docx,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": extract_pptx,
    "text/plain": extract_text,
    "text/markdown": extract_text,
    "text/csv": extract_text,
    "text/html": extract_html,
}
# formats whose pages are worth keeping one by one (PDF pages, slides)
PAGED = {"application/pdf", "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
# NUL and control characters, lone surrogates (from broken font maps) and private-use glyphs are
# never words; PostgreSQL and the index refuse some of them outright
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ue000-\uf8ff\ufffe\uffff]")
# below this share of letters, digits and spaces the "text" is a font's private codes, not words
READABLE_SHARE = 0.5
REASONS = {
    "time": "reading it took longer than {seconds:g} seconds",
    "died": "reading it needed more than {memory_mb} MB of memory or crashed the reader",
}


@dataclass(frozen=True)
class Limits:
    """How much work reading one file may take, and how much of its text is kept."""

    seconds: float = 60
    memory_mb: int = 1024
    max_chars: int = 2_000_000


def has_extractor(mime: str) -> bool:
    return mime in EXTRACTORS


def extract(data: bytes, mime: str, limits: Limits | None = None) -> Extraction:
    """Return the text of `data`; failures come back as status FAILED with the reason."""
    if mime not in EXTRACTORS:
        return Extraction(text="", pages=[], status=ExtractionStatus.NOT_APPLICABLE)
    limits = limits or Limits()
    run = isolated.run(
        read_pages, mime, data, limits.max_chars, seconds=limits.seconds, memory_mb=limits.memory_mb
    )
    total = next((value for kind, value in run.items if kind == "total"), None)
    pages = [clean(value) for kind, value in run.items if kind == "page"]
    cut = any(kind == "cut" for kind, _ in run.items)
    unreadable = next((value for kind, value in run.items if kind == "unreadable"), None)
    if unreadable:
        return _failed(unreadable, total)
    if mime not in PAGED:
        pages, total = pages[:1], None
    text = "\n\n".join(page for page in pages if page).strip()
    if run.stopped == "error":
        reason = f"the file could not be read ({run.error})"
    elif run.stopped:
        reason = REASONS[run.stopped].format(seconds=limits.seconds, memory_mb=limits.memory_mb)
    else:
        reason = None
    if text and not readable(text):
        return _failed("The text uses fonts that do not map to letters, so it cannot be searched.", total)
    if not text:
        if reason:
            return _failed(_sentence(reason), total)
        error = "The document has no pages." if total == 0 else None
        return Extraction(text="", pages=pages, status=ExtractionStatus.EMPTY, error=error, page_count=total)
    note = None
    if reason or cut:
        read = f"the first {len(pages)} of {total} pages" if total and len(pages) < total else "part of it"
        why = reason or f"the text is longer than {limits.max_chars:,} characters"
        note = f"Only {read} could be read for search: {why}."[:500]
    return Extraction(text=text, pages=pages, status=ExtractionStatus.OK, error=note, page_count=total)


def read_pages(mime: str, data: bytes, max_chars: int) -> Iterator[tuple[str, object]]:
    """Runs in the child: ("total", page count), then ("page", text) until done or `max_chars` is reached;
    or only ("unreadable", why) for a file whose text is locked away."""
    try:
        total, pages = EXTRACTORS[mime](data)
    except Unreadable as exc:
        yield "unreadable", str(exc)
        return
    yield "total", total
    kept = 0
    for page in pages:
        if kept + len(page) > max_chars:
            yield "page", page[: max(0, max_chars - kept)]
            yield "cut", None
            return
        kept += len(page)
        yield "page", page


def clean(text: str) -> str:
    return UNWANTED.sub("", text)


def readable(text: str) -> bool:
    sample = "".join(text[:20_000].split())
    if len(sample) < 200:
        return True
    words = sum(1 for ch in sample if ch.isalnum())
    return words >= READABLE_SHARE * len(sample)


def _failed(message: str, total: int | None) -> Extraction:
    return Extraction(
        text="", pages=[], status=ExtractionStatus.FAILED, error=message[:500], page_count=total
    )


def _sentence(reason: str) -> str:
    reason = reason.strip().rstrip(".")
    return f"{reason[:1].upper()}{reason[1:]}."
