"""CRM exports as CSV: column mapping, value formats and row conversion into deal changes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field

from hub.deals import parsing
from hub.deals.crm_ids import canonical_crm_id
from hub.deals.csv_file import CsvFile
from hub.deals.csv_file import ImportFileError
from hub.deals.csv_file import read_csv
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
    "CsvFile",
    "ImportFileError",
    "PRESETS",
    "PRESET_LABELS",
    "REQUIRED",
    "TARGETS",
    "TARGET_KEYS",
    "detect_preset",
    "read_csv",
    "suggest_mapping",
]


@dataclass
class Options:
    preset: str = ""
    date_format: str = "auto"
    number_format: str = "auto"
    # with date_format "auto": examples such as 03/04/2026 that the file does not say how to read
    unsure_dates: list[str] = field(default_factory=list)


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
    """Turn 'auto' formats into concrete ones by looking at the mapped columns.

    Amounts without a telling value follow the delimiter: Excel writes semicolons where the decimal mark
    is a comma. Dates that the file does not decide are read by the preset's rule and listed in
    `unsure_dates`, so the user is asked before anything is saved.
    """
    number_format = options.number_format
    if number_format not in ("dot", "comma"):
        default = "comma" if csv_file.delimiter == ";" else "dot"
        number_format = parsing.detect_number_format(_column(csv_file, mapping.get("amount")), default)
    date_format, unsure = options.date_format, list(options.unsure_dates)
    if date_format not in ("ymd", "mdy", "dmy"):
        dates = [*_column(csv_file, mapping.get("created_on")), *_column(csv_file, mapping.get("closed_on"))]
        date_format = parsing.detect_date_format(dates, None)
        if date_format is None:
            date_format = PRESET_DATE_DEFAULT.get(options.preset, "mdy")
            unsure = parsing.ambiguous_dates(dates)
    return Options(options.preset, date_format, number_format, unsure)


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
        shape = csv_file.shape_problem(values)
        if shape:
            errors.append(RowError(line=line, crm_id=row.get("crm_id") or None, reason=shape))
            continue
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


# text fields and their column sizes; a longer value is reported, never cut
TEXT_LIMITS = (("name", "deal name", 200), ("account", "account", 200), ("crm_stage", "CRM stage", 80))


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
        changes["crm_id"] = canonical_crm_id(row["crm_id"])
    if not row.get("name"):
        problems.append("missing deal name")
    for key, label, limit in TEXT_LIMITS:
        if key not in row:
            continue
        if len(row[key]) > limit:
            problems.append(f"{label} longer than {limit} characters ({len(row[key])})")
        else:
            changes[key] = row[key] or None
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
