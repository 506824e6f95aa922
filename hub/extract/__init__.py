"""Text extraction by MIME type. Extraction never raises: a file whose text cannot be read is still kept."""

from __future__ import annotations

import logging

from hub.extract.base import Extraction
from hub.extract.base import Extractor
from hub.extract.docx import extract_docx
from hub.extract.pdf import extract_pdf
from hub.extract.pptx import extract_pptx
from hub.extract.text import extract_html
from hub.extract.text import extract_text
from hub.models import ExtractionStatus

__all__ = ["EXTRACTORS", "Extraction", "extract", "has_extractor"]

log = logging.getLogger(__name__)

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


def has_extractor(mime: str) -> bool:
    return mime in EXTRACTORS


def extract(data: bytes, mime: str) -> Extraction:
    """Return the text of `data`; failures come back as status FAILED with the reason."""
    extractor = EXTRACTORS.get(mime)
    if extractor is None:
        return Extraction(text="", pages=[], status=ExtractionStatus.NOT_APPLICABLE)
    try:
        pages = [page.replace("\x00", "") for page in extractor(data)]
    except Exception as exc:  # any parser error means "no text", never a failed upload
        log.info("text extraction failed for %s: %s", mime, exc)
        message = f"{type(exc).__name__}: {exc}"[:500]
        return Extraction(text="", pages=[], status=ExtractionStatus.FAILED, error=message)
    if mime not in PAGED:
        pages = pages[:1]
    text = "\n\n".join(page for page in pages if page).strip()
    status = ExtractionStatus.OK if text else ExtractionStatus.EMPTY
    return Extraction(text=text, pages=pages, status=status)
