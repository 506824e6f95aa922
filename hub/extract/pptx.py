"""Text of each slide of a PowerPoint deck, speaker notes included."""

from __future__ import annotations

import io

from pptx import Presentation


def slide_texts(slide) -> list[str]:
    parts: list[str] = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.extend(p.text for p in shape.text_frame.paragraphs)
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                parts.append(" | ".join(cell.text for cell in row.cells))
    return [part.strip() for part in parts if part and part.strip()]


def extract_pptx(data: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(data))
    pages = []
    for slide in deck.slides:
        parts = slide_texts(slide)
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                parts.append(notes.text.strip())
        pages.append("\n".join(parts))
    return pages
