"""A CSV import from bytes to deals: read, map, check every row, then upsert the good ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

from hub.deals import crm_import
from hub.deals import service
from hub.deals.crm_import import CsvFile
from hub.deals.crm_import import Options
from hub.deals.crm_import import ParsedRow
from hub.deals.crm_import import RowError
from hub.deals.lookups import Lookups
from hub.models import User


@dataclass
class Plan:
    csv_file: CsvFile
    mapping: dict[str, str | None]
    options: Options
    rows: list[ParsedRow]
    errors: list[RowError]
    results: dict[str, str] = field(default_factory=dict)

    def count(self, result: str) -> int:
        return sum(1 for r in self.results.values() if r == result)


def open_file(data: bytes, preset: str = "auto") -> tuple[CsvFile, str, dict[str, str | None]]:
    """The parsed file, the preset to use ('' for none) and the suggested column mapping."""
    csv_file = crm_import.read_csv(data)
    chosen = crm_import.detect_preset(csv_file.headers) if preset in ("", "auto") else preset
    if chosen not in crm_import.PRESETS:
        chosen = ""
    return csv_file, chosen, crm_import.suggest_mapping(csv_file.headers, chosen)


def build_plan(csv_file: CsvFile, mapping: dict[str, str | None], options: Options) -> Plan:
    """Check every row without writing; `results` says what importing each good row would do."""
    problems = crm_import.validate_mapping(mapping, csv_file.headers)
    if problems:
        raise crm_import.ImportFileError(" ".join(problems))
    resolved = crm_import.resolve_options(csv_file, mapping, options)
    rows, errors = crm_import.parse_rows(csv_file, mapping, resolved, Lookups())
    plan = Plan(csv_file=csv_file, mapping=mapping, options=resolved, rows=rows, errors=errors)
    plan.results = service.preview([(row.crm_id, row.changes) for row in rows])
    return plan


def run(
    plan: Plan,
    *,
    acting: User | None,
    label: str,
    ip_address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 500,
) -> service.ImportSummary:
    """Upsert the plan's good rows in batches of one transaction each, reporting progress."""
    total = len(plan.rows)
    summary = service.ImportSummary()
    batches = range(0, total, batch_size) or range(0, 1)
    for start in batches:
        chunk = plan.rows[start : start + batch_size]
        last = start + batch_size >= total
        part = service.import_deals(
            [(row.line, row.crm_id, row.changes) for row in chunk],
            acting=acting,
            label=f"{label} (rows {start + 1}-{start + len(chunk)} of {total})"
            if total > batch_size
            else label,
            errors=len(plan.errors) if last else 0,
            ip_address=ip_address,
        )
        summary.created += part.created
        summary.updated += part.updated
        summary.unchanged += part.unchanged
        summary.outcomes.extend(part.outcomes)
        if progress:
            progress(min(start + batch_size, total), total)
    return summary
