"""Text of each page of a PDF."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader

# pypdf warns about every small defect of real-world PDFs; those are not our errors
logging.getLogger("pypdf").setLevel(logging.ERROR)


def extract_pdf(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    return [(page.extract_text() or "").strip() for page in reader.pages]
