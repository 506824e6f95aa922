"""Checks an uploaded file by its content against the allowlist, and cleans its name."""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from werkzeug.utils import secure_filename

from hub.extract.text import decode_text

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
# formats people have in their folders that Hub cannot read, with what to save them as instead
CONVERT_HINTS = {
    **dict.fromkeys(
        ("doc", "dot", "rtf", "odt", "pages", "wpd"), "Save it as a .docx file or export it as PDF"
    ),
    **dict.fromkeys(("ppt", "pps", "pot", "odp", "key"), "Save it as a .pptx file or export it as PDF"),
    **dict.fromkeys(("xls", "xlsx", "xlsm", "ods", "numbers"), "Export it as PDF or CSV"),
}
HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
SVG_MARK = re.compile(rb"<svg\b", re.IGNORECASE)
# Word 97-2003, PowerPoint 97-2003 and password-protected Office files are OLE compound files
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
MAX_NAME = 200
# real documents have hundreds to a few thousand parts; more is a hostile archive
MAX_ZIP_ENTRIES = 20_000
MAX_ZIP_DIRECTORY = 16 * 1024 * 1024
DEFAULT_MAX_EXPANDED = 1024 * 1024 * 1024


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
    """A readable name without any path or control characters, kept for downloads and titles.

    Long names are shortened before the extension, so the extension survives; a name that is only an
    extension (".pdf") becomes "file.pdf".
    """
    name = PurePath((filename or "").replace("\\", "/")).name
    # category C: control and format characters, including the right-to-left override that disguises
    # "invoice\u202etxt.exe" as "invoiceexe.txt"
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip().rstrip(". ")
    stem, dot, extension = name.rpartition(".")
    if dot and extension.isalnum() and len(extension) <= 10:
        stem = stem.strip().lstrip(".").strip() or "file"
        return f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}"
    return name.lstrip(".").strip()[:MAX_NAME] or "file"


def safe_filename(filename: str, extension: str) -> str:
    """An ASCII name safe on any disk and in any header, always ending in the checked extension."""
    stem = secure_filename(PurePath(display_name(filename)).stem)[:150] or "file"
    return f"{stem}.{extension}"


def title_from_filename(filename: str) -> str:
    stem = PurePath(display_name(filename)).stem
    title = re.sub(r"[_\s]+", " ", stem).strip(" -")
    return (title[:1].upper() + title[1:])[:200] if title else "Untitled"


def check_file(
    data: bytes, filename: str, *, max_bytes: int, max_expanded: int = DEFAULT_MAX_EXPANDED
) -> CheckedFile:
    """Return what the file is, or raise UploadRejected saying why it is refused.

    `max_expanded` bounds the unzipped size of Office files (a zip bomb is refused, not parsed).
    """
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
    if extension in CONVERT_HINTS:
        raise UploadRejected(
            f"{shown}: .{extension} files are not accepted. {CONVERT_HINTS[extension]}, then upload that."
        )
    if extension not in ALLOWED:
        what = f".{extension} files are not accepted" if extension else "the file name has no extension"
        raise UploadRejected(f"{shown}: {what}. Allowed: {ALLOWED_DESCRIPTION}.")
    expected = ALLOWED[extension]
    if data.startswith(OLE_MAGIC):
        raise UploadRejected(
            f"{shown} is an older Office file (97-2003) or a password-protected one, renamed .{extension}. "
            "Open it, remove any password and save it as .docx or .pptx (or export it as PDF), then retry."
        )
    if data.startswith(b"PK\x03\x04"):
        _check_archive(data, shown, max_expanded)
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
    text = decode_text(data)
    if text is None:
        return None
    if HTML_START.match(text.removeprefix("\ufeff")):
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


def _check_archive(data: bytes, shown: str, max_expanded: int) -> None:
    """Refuse archives that are hostile rather than damaged: too many parts, bombs, paths outside."""
    entries, directory = _central_directory(data)
    if entries > MAX_ZIP_ENTRIES or directory > MAX_ZIP_DIRECTORY:
        raise UploadRejected(f"{shown} contains {entries:,} parts, more than any real document has.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # the type check below says the file is damaged
    expanded = sum(info.file_size for info in infos)
    if expanded > max_expanded:
        raise UploadRejected(
            f"{shown} unpacks to {expanded // (1024 * 1024):,} MB, more than the {max_expanded // (1024 * 1024):,} MB "
            "Hub accepts. It is not a normal document; save it again from Office, then retry."
        )
    for info in infos:
        parts = info.filename.replace("\\", "/").split("/")
        if info.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise UploadRejected(
                f"{shown} contains a file stored outside the document ({info.filename[:80]!r}), "
                "which Office never writes. Save the document again from Office, then retry."
            )


def _central_directory(data: bytes) -> tuple[int, int]:
    """How many entries the zip's end record declares and the size of their directory, read before any
    entry is parsed; (0, 0) when there is no end record (zipfile then reports the file as damaged)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return 0, 0
    entries, directory = struct.unpack_from("<HI", data, end + 10)
    if entries != 0xFFFF and directory != 0xFFFFFFFF:
        return entries, directory
    # a zip64 archive keeps the real figures in its own end record, found through a locator
    locator = end - 20
    if locator < 0 or data[locator : locator + 4] != b"PK\x06\x07":
        return 0, 0
    (record,) = struct.unpack_from("<Q", data, locator + 8)
    if record + 56 > len(data) or data[record : record + 4] != b"PK\x06\x06":
        return 0, 0
    entries, directory = struct.unpack_from("<QQ", data, record + 32)
    return entries, directory
