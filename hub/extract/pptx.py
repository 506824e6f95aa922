"""Text of each slide of a PowerPoint deck (grouped shapes and tables included), speaker notes too."""

from __future__ import annotations

import io
from collections.abc import Iterable
from collections.abc import Iterator

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE


def slide_texts(slide) -> list[str]:
    parts = [part.strip() for part in _shape_texts(slide.shapes)]
    return [part for part in parts if part]


def _shape_texts(shapes) -> Iterator[str]:
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _shape_texts(shape.shapes)
            continue
        if shape.has_text_frame:
            yield from (p.text for p in shape.text_frame.paragraphs)
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                yield " | ".join(cell.text for cell in row.cells)


def extract_pptx(data: bytes) -> tuple[int | None, Iterable[str]]:
    deck = Presentation(io.BytesIO(data))
    return len(deck.slides), _slides(deck)


def _slides(deck) -> Iterator[str]:
    for slide in deck.slides:
        parts = slide_texts(slide)
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                parts.append(notes.text.strip())
        yield "\n".join(parts)
