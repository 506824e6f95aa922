"""CRM exports as CSV: decoding, delimiter, header presets, column mapping and row conversion."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field

from hub.deals import parsing
from hub.deals.lookups import Lookups
from hub.deals.parsing import ValueProblem
from hub.deals.presets import PRESET_DATE_DEFAULT
from hub.deals.presets import PRESET_LABELS
from hub.deals.presets import PRESETS
from hub.deals.presets import REQUIRED
from hub.deals.presets import TARGET_KEYS
from hub.deals.presets import TARGETS
from hub.deals.presets import detect_preset
from hub.deals.presets import suggest_mapping
from hub.models import DealStatus

__all__ = [
    "PRESETS",
    "PRESET_LABELS",
    "REQUIRED",
    "TARGETS",
    "TARGET_KEYS",
    "detect_preset",
    "suggest_mapping",
]


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, no header, no rows)."""


@dataclass
class Options:
    preset: str = ""
    date_format: str = "auto"
    number_format: str = "auto"


@dataclass
class CsvFile:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, values)
    delimiter: str
    encoding: str


@dataclass
class ParsedRow:
    line: int
    crm_id: str
    changes: dict
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class RowError:
    line: int
    crm_id: str | None
    reason: str


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: a BOM decides, else UTF-8, else Windows-1252, else Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter used most often in the header line, outside quotes."""
    header = text.split("\n", 1)[0]
    outside, quoted = [], False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    counts = {d: outside.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes) -> CsvFile:
    text, encoding = decode(data)
    if "\x00" in text:
        raise ImportFileError("This does not look like a CSV file. Export the deals as CSV and try again.")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise ImportFileError("The file is empty: the first line should hold the column names.")
        headers = _unique_headers(header)
        rows, last_line = [], reader.line_num
        for values in reader:
            start, last_line = last_line + 1, reader.line_num
            # a line of one cell under a header of several is a report's totals or footer
            # ("Grand Totals (42 records)", "Confidential Information …"): exports write every column
            if any(cell.strip() for cell in values) and (len(values) > 1 or len(headers) == 1):
                rows.append((start, values))
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file is malformed near line {reader.line_num}: {exc}.") from exc
    if not rows:
        raise ImportFileError("The file has column names but no rows of deals.")
    return CsvFile(headers=headers, rows=rows, delimiter=delimiter, encoding=encoding)


def _unique_headers(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for index, raw in enumerate(header, start=1):
        name = " ".join(raw.strip().split()) or f"Column {index}"
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return result


def validate_mapping(mapping: dict[str, str | None], headers: list[str]) -> list[str]:
    problems = [
        f"Choose the column that holds the {dict(TARGETS)[key]}." for key in REQUIRED if not mapping.get(key)
    ]
    problems += [
        f"There is no column named {col!r} in the file."
        for col in mapping.values()
        if col and col not in headers
    ]
    return problems


def resolve_options(csv_file: CsvFile, mapping: dict[str, str | None], options: Options) -> Options:
    """Turn 'auto' formats into concrete ones by looking at the mapped columns."""
    number_format = options.number_format
    if number_format not in ("dot", "comma"):
        number_format = parsing.detect_number_format(_column(csv_file, mapping.get("amount")))
    date_format = options.date_format
    if date_format not in ("ymd", "mdy", "dmy"):
        dates = [*_column(csv_file, mapping.get("created_on")), *_column(csv_file, mapping.get("closed_on"))]
        date_format = parsing.detect_date_format(dates, PRESET_DATE_DEFAULT.get(options.preset, "mdy"))
    return Options(preset=options.preset, date_format=date_format, number_format=number_format)


def _column(csv_file: CsvFile, header: str | None) -> Iterator[str]:
    if not header:
        return iter(())
    index = csv_file.headers.index(header)
    return (values[index] for _line, values in csv_file.rows if index < len(values))


def parse_rows(
    csv_file: CsvFile, mapping: dict[str, str | None], options: Options, lookups: Lookups
) -> tuple[list[ParsedRow], list[RowError]]:
    """Every row as deal changes, or as an error with its line number and reason."""
    resolved = resolve_options(csv_file, mapping, options)
    positions = {key: csv_file.headers.index(col) for key, col in mapping.items() if col}
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    for line, values in csv_file.rows:
        row = {key: (values[i].strip() if i < len(values) else "") for key, i in positions.items()}
        changes, reasons = convert(row, resolved, lookups, by_name="crm_id" not in positions)
        crm_id = changes.get("crm_id") or row.get("crm_id") or None
        if crm_id and crm_id in first_line:
            if "crm_id" in positions:
                reasons.append(f"duplicate CRM id {crm_id!r} (already on line {first_line[crm_id]})")
            else:
                reasons.append(
                    f"same deal name as line {first_line[crm_id]}; map a CRM id column to tell them apart"
                )
        if reasons:
            errors.append(RowError(line=line, crm_id=crm_id, reason="; ".join(reasons)))
            continue
        first_line[crm_id] = line
        parsed.append(ParsedRow(line=line, crm_id=crm_id, changes=changes, values=row))
    return parsed, errors


def convert(
    row: dict[str, str], options: Options, lookups: Lookups, by_name: bool = False
) -> tuple[dict, list[str]]:
    """One row's mapped values -> (changes for the deal, problems); only mapped fields appear in changes.

    With `by_name` (the file has no id column) the deal name is the key, so importing the same export
    again updates the deals instead of duplicating them.
    """
    changes: dict = {}
    problems: list[str] = []
    if by_name:
        if row.get("name"):
            changes["crm_id"] = id_from_name(row["name"])
    elif not row.get("crm_id"):
        problems.append("missing CRM id")
    elif len(row["crm_id"]) > 64:
        problems.append("CRM id longer than 64 characters")
    else:
        changes["crm_id"] = row["crm_id"]
    if not row.get("name"):
        problems.append("missing deal name")
    else:
        changes["name"] = row["name"][:200]
    if "account" in row:
        changes["account"] = row["account"][:200] or None
    if "crm_stage" in row:
        changes["crm_stage"] = row["crm_stage"][:80] or None
    _try(problems, lambda: _money(row, options, changes))
    _try(problems, lambda: _dates(row, options, changes))
    _try(problems, lambda: _status(row, changes))
    if "owner" in row:
        _try(problems, lambda: changes.__setitem__("owner_id", lookups.owner_id(row["owner"])))
    if row.get("persona"):
        _try(problems, lambda: changes.__setitem__("persona_id", lookups.persona_id(row["persona"])))
    if row.get("stage"):
        _try(problems, lambda: changes.__setitem__("stage_id", lookups.stage_id(row["stage"])))
    return changes, problems


def id_from_name(name: str) -> str:
    """A CRM id made from a deal name: the name itself when it fits, else its start and a digest."""
    name = " ".join(name.split())
    if len(name) <= 64:
        return name
    return f"{name[:47].rstrip()}~{hashlib.sha256(name.encode()).hexdigest()[:16]}"


def _try(problems: list[str], step) -> None:
    try:
        step()
    except ValueProblem as exc:
        problems.append(str(exc))


def _money(row: dict[str, str], options: Options, changes: dict) -> None:
    found_currency = None
    if "amount" in row:
        changes["amount"], found_currency = parsing.parse_amount(row["amount"], options.number_format)
    currency = parsing.parse_currency(row.get("currency")) or found_currency
    if currency:
        changes["currency"] = currency


def _dates(row: dict[str, str], options: Options, changes: dict) -> None:
    problems = []
    for key in ("created_on", "closed_on"):
        if key in row:
            try:
                changes[key] = parsing.parse_date(row[key], options.date_format)
            except ValueProblem as exc:
                problems.append(str(exc))
    if problems:
        raise ValueProblem("; ".join(problems))


def _status(row: dict[str, str], changes: dict) -> None:
    """An explicit status column wins; then the Won/Closed flags; then a stage named Closed Won/Lost."""
    if row.get("status"):
        changes["status"] = parsing.parse_status(row["status"])
        return
    closed = parsing.parse_flag(row["closed"], "Closed") if "closed" in row else None
    won = parsing.parse_flag(row["won"], "Won") if "won" in row else None
    from_stage = parsing.status_from_text(row.get("crm_stage"))
    if won:
        changes["status"] = DealStatus.WON
    elif closed:
        changes["status"] = from_stage or DealStatus.LOST
    elif closed is False:
        changes["status"] = DealStatus.OPEN
    elif from_stage is not None:
        changes["status"] = from_stage
    elif "crm_stage" in row or won is False:
        changes["status"] = DealStatus.OPEN
