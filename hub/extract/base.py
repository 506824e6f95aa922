"""What every extractor returns, and the shape of an extractor."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Protocol

from hub.models import ExtractionStatus


@dataclass(frozen=True)
class Extraction:
    """Text kept for search: all of it, and per page or slide where the format has pages.

    `page_count` is the document's own count, which can exceed `len(pages)` when reading stopped early;
    `error` says why no text, or only part of it, could be read.
    """

    text: str
    pages: list[str] = field(default_factory=list)
    status: ExtractionStatus = ExtractionStatus.OK
    error: str | None = None
    page_count: int | None = None


class Unreadable(Exception):
    """The file is fine but its text cannot be read; the message is meant for the person who uploaded it."""


class Extractor(Protocol):
    def __call__(self, data: bytes) -> tuple[int | None, Iterable[str]]:
        """Return the page count (None for formats without pages) and the text of each page, lazily."""
        ...
