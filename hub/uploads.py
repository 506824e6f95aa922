"""Checks an uploaded file by its content against the allowlist, and cleans its name."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from werkzeug.utils import secure_filename

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
TEXT = "text/plain"
MARKDOWN = "text/markdown"
CSV = "text/csv"
HTML = "text/html"
PNG = "image/png"
JPEG = "image/jpeg"

# extension -> MIME type the content must prove
ALLOWED = {
    "pdf": PDF,
    "docx": DOCX,
    "pptx": PPTX,
    "txt": TEXT,
    "md": MARKDOWN,
    "markdown": MARKDOWN,
    "csv": CSV,
    "html": HTML,
    "htm": HTML,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
}
TEXT_TYPES = {TEXT, MARKDOWN, CSV, HTML}
LABELS = {
    PDF: "a PDF document",
    DOCX: "a Word document (DOCX)",
    PPTX: "a PowerPoint deck (PPTX)",
    TEXT: "plain text",
    MARKDOWN: "Markdown text",
    CSV: "CSV text",
    HTML: "an HTML page",
    PNG: "a PNG image",
    JPEG: "a JPEG image",
}
ALLOWED_DESCRIPTION = "PDF, Word (DOCX), PowerPoint (PPTX), text, Markdown, CSV, HTML, PNG and JPEG"
EXECUTABLE_EXTENSIONS = {
    "exe",
    "dll",
    "msi",
    "bat",
    "cmd",
    "com",
    "scr",
    "sh",
    "ps1",
    "vbs",
    "jar",
    "app",
    "bin",
}
EXECUTABLE_KINDS = {"exe", "elf", "dmg", "deb", "rpm", "cab", "crx", "macho"}
HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL
)
SVG_MARK = re.compile(rb"<svg\b", re.IGNORECASE)


class UploadRejected(ValueError):
    """The file was refused; the message is meant for the person who uploaded it."""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    display_name: str
    extension: str
    mime_type: str

    @property
    def is_text(self) -> bool:
        return self.mime_type in TEXT_TYPES


def display_name(filename: str) -> str:
    """A readable name without any path or control characters, kept for downloads and titles."""
    name = PurePath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    return name.strip().strip(".")[:200] or "file"


def safe_filename(filename: str, extension: str) -> str:
    """An ASCII name safe on any disk and in any header, always ending in the checked extension."""
    stem = secure_filename(PurePath(display_name(filename)).stem)[:150] or "file"
    return f"{stem}.{extension}"


def title_from_filename(filename: str) -> str:
    stem = PurePath(display_name(filename)).stem
    title = re.sub(r"[_\s]+", " ", stem).strip(" -")
    return (title[:1].upper() + title[1:])[:200] if title else "Untitled"


def check_file(data: bytes, filename: str, *, max_bytes: int) -> CheckedFile:
    """Return what the file is, or raise UploadRejected saying why it is refused."""
    shown = display_name(filename)
    extension = PurePath(shown).suffix.lower().lstrip(".")
    if not data:
        raise UploadRejected(f"{shown} is empty. Choose a file that has content.")
    if len(data) > max_bytes:
        limit = max_bytes // (1024 * 1024)
        raise UploadRejected(f"{shown} is too large. The limit is {limit} MB per file.")
    kind = filetype.guess(data[:8192])
    if extension in EXECUTABLE_EXTENSIONS or (kind is not None and kind.extension in EXECUTABLE_KINDS):
        raise UploadRejected(f"{shown} is a program. Executable files are never accepted.")
    if extension == "svg" or (kind is None and SVG_MARK.search(data[:4096]) and extension not in ALLOWED):
        raise UploadRejected(f"{shown} is an SVG image, which is not accepted. Upload a PNG or JPEG instead.")
    if extension not in ALLOWED:
        what = f".{extension} files are not accepted" if extension else "the file name has no extension"
        raise UploadRejected(f"{shown}: {what}. Allowed: {ALLOWED_DESCRIPTION}.")
    expected = ALLOWED[extension]
    actual = _sniff(data, kind)
    if actual is None:
        raise UploadRejected(
            f"{shown} is named .{extension} but its content is not {LABELS[expected]}, "
            "or the file is damaged. Open it and save it again, then retry."
        )
    if actual != expected and not (expected in TEXT_TYPES and actual == TEXT):
        raise UploadRejected(
            f"{shown} is named .{extension} but its content is {LABELS[actual]}. "
            f"Rename it with the right extension or upload the right file."
        )
    if expected == HTML and actual != HTML:
        raise UploadRejected(f"{shown} is named .{extension} but does not look like an HTML page.")
    return CheckedFile(
        filename=safe_filename(shown, extension), display_name=shown, extension=extension, mime_type=expected
    )


def _sniff(data: bytes, kind) -> str | None:
    """The allowlisted type the bytes really are, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if kind is not None and kind.mime in (PNG, JPEG):
        return kind.mime
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    if kind is not None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    if HTML_START.match(data.removeprefix(b"\xef\xbb\xbf")):
        return HTML
    return TEXT


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "ppt/presentation.xml" in names:
        return PPTX
    return None
