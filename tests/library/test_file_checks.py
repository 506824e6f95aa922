"""Type checks by content: each accepted kind, and each way a file is refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from hub import samples
from hub.uploads import DOCX
from hub.uploads import HTML
from hub.uploads import PDF
from hub.uploads import PPTX
from hub.uploads import UploadRejected
from hub.uploads import check_file
from hub.uploads import display_name
from hub.uploads import title_from_filename

LIMIT = 5 * 1024 * 1024
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (samples.make_pdf("T", ["x"]), "a.pdf", PDF),
        (samples.make_docx("T", ["x"]), "a.docx", DOCX),
        (samples.make_pptx("T", [("h", "b")]), "a.pptx", PPTX),
        (b"hello", "notes.txt", "text/plain"),
        (b"# Title\n\ntext", "readme.md", "text/markdown"),
        (b"a,b\n1,2\n", "data.csv", "text/csv"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "page.html", HTML),
        (PNG_BYTES, "logo.png", "image/png"),
    ],
)
def test_accepted_kinds(data, name, mime):
    assert check_file(data, name, max_bytes=LIMIT).mime_type == mime


def _zip(member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "x")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.pdf", "is empty"),
        (b"x" * (LIMIT + 1), "big.txt", "too large"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "tool.exe", "Executable"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "report.pdf", "Executable"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "deck.pptx", "Executable"),
        (b"just some words", "fake.pdf", "its content is plain text"),
        (b"%PDF-1.4 truncated", "notes.docx", "its content is a PDF"),
        (b"PK\x03\x04broken", "deck.pptx", "not a PowerPoint deck"),
        (samples.make_docx("T", ["x"]), "deck.pptx", "Word document"),
        (samples.make_pdf("T", ["x"]), "notes.txt", "PDF document"),
        (_zip("xl/workbook.xml"), "sheet.docx", "not a Word document"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo.svg", "SVG"),
        (b"plain words", "page.html", "does not look like an HTML page"),
        (b"\xff\xfe\x00bin\x00ary", "notes.txt", "not plain text"),
        (b"data", "archive.zip", ".zip files are not accepted"),
        (b"data", "README", "no extension"),
    ],
)
def test_rejections_have_clear_messages(data, name, message):
    with pytest.raises(UploadRejected) as info:
        check_file(data, name, max_bytes=LIMIT)
    assert message in str(info.value)


def test_names_are_sanitized_but_readable():
    checked = check_file(b"hello", "../../etc/Q3 résumé\x00.txt", max_bytes=LIMIT)
    assert checked.display_name == "Q3 résumé.txt"
    assert "/" not in checked.filename and checked.filename.endswith(".txt")
    assert display_name("C:\\Users\\me\\Deck.pptx") == "Deck.pptx"
    assert title_from_filename("pricing_one-pager_2026.pdf") == "Pricing one-pager 2026"
