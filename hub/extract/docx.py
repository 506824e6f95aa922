"""Text of a Word document: the body (paragraphs, tables, content controls) in document order, then
headers, footers and footnotes. Deleted tracked changes and reviewers' comments are left out."""

from __future__ import annotations

import io
from collections.abc import Iterable
from collections.abc import Iterator

from docx import Document
from docx.oxml.parser import parse_xml

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
# text of a paragraph: w:t (w:delText, the deleted text of tracked changes, is not included)
TEXT = f"{W}t"


def extract_docx(data: bytes) -> tuple[int | None, Iterable[str]]:
    document = Document(io.BytesIO(data))
    lines = list(_blocks(document.element.body))
    seen: set[int] = set()
    for section in document.sections:
        for part in (section.header, section.footer):
            if part.is_linked_to_previous or id(part.part) in seen:
                continue
            seen.add(id(part.part))
            lines.extend(_blocks(part._element))
    for rel in document.part.rels.values():
        if rel.reltype == FOOTNOTES and not rel.is_external:
            lines.extend(_blocks(parse_xml(rel.target_part.blob)))
    text = "\n".join(line.strip() for line in lines if line and line.strip())
    return None, [text]


def _blocks(container) -> Iterator[str]:
    for block in container.iterchildren():
        tag = block.tag
        if tag == f"{W}p":
            yield _text(block)
        elif tag == f"{W}tbl":
            for row in block.iter(f"{W}tr"):
                cells = [_text(cell).strip() for cell in row.iterchildren(f"{W}tc")]
                yield " | ".join(cells)
        elif tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}footnote", f"{W}ins"):
            # content controls (cover pages, tables of contents) and footnotes wrap ordinary blocks
            yield from _blocks(block)


def _text(element) -> str:
    return "".join(node.text or "" for node in element.iter(TEXT))
