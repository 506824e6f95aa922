"""What every extractor returns, and the shape of an extractor."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Protocol

from hub.models import ExtractionStatus


@dataclass(frozen=True)
class Extraction:
    """Text kept for search: all of it, and per page or slide where the format has pages."""

    text: str
    pages: list[str] = field(default_factory=list)
    status: ExtractionStatus = ExtractionStatus.OK
    error: str | None = None


class Extractor(Protocol):
    def __call__(self, data: bytes) -> list[str]:
        """Return the text of each page (one entry for formats without pages)."""
        ...
