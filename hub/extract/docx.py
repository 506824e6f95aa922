"""Text of a Word document: paragraphs, then table cells, in document order."""

from __future__ import annotations

import io

from docx import Document


def extract_docx(data: bytes) -> list[str]:
    document = Document(io.BytesIO(data))
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(node.text or "" for node in block.iter() if node.tag.endswith("}t")))
        elif tag == "tbl":
            for row in block.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iterchildren():
                        if cell.tag.endswith("}tc"):
                            cells.append(
                                " ".join(node.text or "" for node in cell.iter() if node.tag.endswith("}t"))
                            )
                    lines.append(" | ".join(c.strip() for c in cells))
    text = "\n".join(line.strip() for line in lines if line.strip())
    return [text]
