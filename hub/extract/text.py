"""Plain text, Markdown, CSV and HTML (the words a reader sees, without tags or scripts)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from html.parser import HTMLParser

# control characters that never occur in text files (tab, line breaks, form feed and DOS EOF do)
BINARY = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f]")
ASCII = re.compile(r"[\x09-\x7e]")
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(data: bytes) -> str | None:
    """The text of a text file, or None when the bytes are not text.

    UTF-8, UTF-16 with a byte-order mark (Windows "Unicode") and Windows-1252 / Latin-1 (older editors
    and Excel's CSV export) are read; a file with other control characters or NUL bytes is binary.
    """
    encoding = next((name for bom, name in BOMS if data.startswith(bom)), None)
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError:
        text = None if encoding else _single_byte(data)
    if text is None or BINARY.search(text):
        return None
    if encoding == "utf-16" and not ASCII.search(text):
        # any even-length bytes decode as UTF-16; real files have spaces, line breaks or digits somewhere
        return None
    return text


def _single_byte(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        # the five bytes cp1252 leaves undefined; Latin-1 reads every byte
        return data.decode("latin-1")


def decode(data: bytes) -> str:
    text = decode_text(data)
    if text is None:
        text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def extract_text(data: bytes) -> tuple[int | None, Iterable[str]]:
    return None, [decode(data).strip()]


class _TextParser(HTMLParser):
    SKIP = {"script", "style", "template", "noscript", "head"}
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "title":
            self._in_title = True
        if tag in self.SKIP:
            self.skipping += 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        if self._in_title:
            self.title += data
        elif not self.skipping:
            self.parts.append(data)


def extract_html(data: bytes) -> tuple[int | None, Iterable[str]]:
    parser = _TextParser()
    parser.feed(decode(data))
    parser.close()
    body = "".join(parser.parts)
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in body.split("\n")]
    text = "\n".join(line for line in lines if line)
    title = parser.title.strip()
    return None, [f"{title}\n{text}".strip() if title else text]
