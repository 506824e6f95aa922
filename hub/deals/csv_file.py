"""An uploaded CRM export as a header and rows: encoding, delimiter, report footers and misshapen rows."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from dataclasses import field

# a long description or notes cell must not make the whole file unreadable; uploads are capped well below this
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))

DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
# files people upload instead of a CSV export, by their first bytes
_OTHER_FORMATS = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"{\\rtf", "a Word (RTF) document"),
)
_SAVE_AS_CSV = (
    "Export the deals from your CRM as CSV, or in Excel use File › Save As › CSV UTF-8, and upload that file."
)
_SEP_LINE = re.compile(r'^"?sep=(.)"?\s*$', re.IGNORECASE)
# totals rows of a report export: "Grand Totals (42 records)", "Total", "Subtotal"
_TOTALS = re.compile(r"^(grand\s+totals?|totals?|subtotals?)(\s*\(\d+\s+records?\))?\s*:?$", re.IGNORECASE)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, no header, no rows)."""


@dataclass
class CsvFile:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, values)
    delimiter: str
    encoding: str
    # lines left out as a report's totals and footer ("Grand Totals", "Confidential Information …")
    footer_lines: list[int] = field(default_factory=list)

    def shape_problem(self, values: list[str]) -> str | None:
        """Why a row cannot be trusted: more values than columns means a value has shifted the others.

        Fewer values are fine: Excel leaves out the empty cells at the end of a row.
        """
        if len(values) == 1 < len(self.headers):
            return f"the row has a single value where the header has {len(self.headers)} columns (a note, not a deal?)"
        extra = values[len(self.headers) :]
        if any(cell.strip() for cell in extra):
            name = DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))
            return (
                f"the row has {len(values)} values but the header has {len(self.headers)} columns; "
                f"a value with an unquoted {name} shifts the columns (put such values in double quotes)"
            )
        return None


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: a BOM decides, else UTF-16 by its zero bytes, UTF-8, Windows-1252, Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    utf16 = _utf16_without_bom(data[:1000])
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text of mostly Latin letters has a zero in every other byte."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.7 and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.7 and odd.count(0) == 0:
        return "utf-16-be"
    return None


def sniff_delimiter(line: str) -> str:
    """The delimiter used most often in the header line, outside quotes."""
    outside, quoted = [], False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    counts = {d: outside.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes) -> CsvFile:
    _refuse_other_formats(data)
    text, encoding = decode(data)
    if "\x00" in text:
        raise ImportFileError(f"This does not look like a CSV file. {_SAVE_AS_CSV}")
    lines = text.split("\n", 1)
    sep = _SEP_LINE.match(lines[0].strip())
    if sep:
        # Excel's "sep=;" hint line: blank it so the line numbers stay those of the file
        text = "\n" + (lines[1] if len(lines) > 1 else "")
    first = next((line for line in text[:1_000_000].splitlines() if line.strip()), "")
    delimiter = sep.group(1) if sep else sniff_delimiter(first)
    rows = _records(text, delimiter)
    header_at = next((i for i, (_l, values) in enumerate(rows) if any(v.strip() for v in values)), None)
    if header_at is None:
        raise ImportFileError("The file is empty: the first line should hold the column names.")
    headers = _unique_headers(rows[header_at][1])
    body = [(line, values) for line, values in rows[header_at + 1 :] if any(v.strip() for v in values)]
    body, footer = _split_footer(body, len(headers))
    if not body:
        raise ImportFileError("The file has column names but no rows of deals.")
    return CsvFile(headers=headers, rows=body, delimiter=delimiter, encoding=encoding, footer_lines=footer)


def _refuse_other_formats(data: bytes) -> None:
    for magic, kind in _OTHER_FORMATS:
        if data.startswith(magic):
            raise ImportFileError(f"This file is {kind}, not a CSV file. {_SAVE_AS_CSV}")
    start = data[:200].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        raise ImportFileError(f"This file is a web page or XML, not a CSV file. {_SAVE_AS_CSV}")


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every record with the line it starts on; strict first, to catch a quote that is never closed."""
    try:
        return _read(text, delimiter, strict=True)
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            line = _open_quote_line(text, delimiter)
            raise ImportFileError(
                f"A quoted value that starts on line {line} is never closed, so the rest of the file "
                'cannot be read. Check that line for a stray double quote (").'
            ) from exc
    try:
        # a quote inside a value ("5" screens") is read as a plain character
        return _read(text, delimiter, strict=False)
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file is malformed: {exc}.") from exc


def _read(text: str, delimiter: str, *, strict: bool) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
    rows, last_line = [], 0
    for values in reader:
        rows.append((last_line + 1, values))
        last_line = reader.line_num
    return rows


def _open_quote_line(text: str, delimiter: str) -> int:
    """The line of the record that was still open at the end of the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    start = last_line = 0
    for _values in reader:
        start, last_line = last_line + 1, reader.line_num
    return start


def _split_footer(
    rows: list[tuple[int, list[str]]], width: int
) -> tuple[list[tuple[int, list[str]]], list[int]]:
    """Leave out totals rows, and the one-cell lines at the end of a report export ("Confidential …")."""
    kept, footer = [], []
    for line, values in rows:
        first = next((v.strip() for v in values if v.strip()), "")
        (footer if _TOTALS.match(first) and width > 1 else kept).append((line, values))
    footer_lines = [line for line, _values in footer]
    while width > 1 and kept and sum(1 for v in kept[-1][1] if v.strip()) == 1:
        footer_lines.append(kept.pop()[0])
    return kept, sorted(footer_lines)


def _unique_headers(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for index, raw in enumerate(header, start=1):
        name = " ".join(raw.strip().split()) or f"Column {index}"
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return result
