"""Text of each page of a PDF."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from hub.extract.base import Unreadable

# pypdf warns about every small defect of real-world PDFs; those are not our errors
logging.getLogger("pypdf").setLevel(logging.ERROR)


def extract_pdf(data: bytes) -> tuple[int | None, Iterable[str]]:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        # most "encrypted" PDFs only restrict printing or copying and open with an empty password
        try:
            opened = reader.decrypt("")
        except (FileNotDecryptedError, NotImplementedError) as exc:
            raise Unreadable(
                "The PDF is encrypted in a way Hub cannot open, so its text cannot be read."
            ) from exc
        if not opened:
            raise Unreadable("The PDF is protected by a password, so its text cannot be read.")
    total = len(reader.pages)
    return total, _pages(reader)


def _pages(reader: PdfReader) -> Iterator[str]:
    for page in reader.pages:
        yield (page.extract_text() or "").strip()
