"""`flask --app hub import-deals FILE.csv`: the web import, from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from hub.auth.service import find_user_by_email
from hub.deals import crm_import
from hub.deals import importer
from hub.deals import parsing
from hub.deals.blueprint import bp
from hub.deals.crm_import import ImportFileError
from hub.deals.crm_import import Options


@bp.cli.command("import-deals")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--preset",
    type=click.Choice(["auto", *crm_import.PRESET_LABELS, "none"]),
    default="auto",
    show_default=True,
    help="Column names of a CRM's export (Salesforce, HubSpot, Pipedrive, Zoho, Dynamics 365); "
    "auto detects from the header.",
)
@click.option(
    "--date-format",
    type=click.Choice(list(parsing.DATE_FORMATS)),
    default="auto",
    show_default=True,
    help="How to read numeric dates such as 03/04/2026; auto decides from dates that can only be read "
    "one way (a day over 12, or dots), and stops to ask when the file cannot tell.",
)
@click.option(
    "--number-format", type=click.Choice(list(parsing.NUMBER_FORMATS)), default="auto", show_default=True
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="FIELD=COLUMN",
    help=f"Map a column by hand (repeatable). Fields: {', '.join(crm_import.TARGET_KEYS)}.",
)
@click.option("--as", "acting_email", default=None, help="Email of the user the audit log names.")
@click.option("--dry-run", is_flag=True, help="Check every row and report, without saving.")
@click.option("--quiet", is_flag=True, help="Only print errors and the totals.")
def import_deals(
    path: Path,
    preset: str,
    date_format: str,
    number_format: str,
    mappings: tuple[str, ...],
    acting_email: str | None,
    dry_run: bool,
    quiet: bool,
) -> None:
    """Import or update deals from a CRM export (CSV), by CRM id; re-importing a file changes nothing.

    Exits with 2 when some rows were skipped because of errors, and 1 when no row could be imported.
    """
    acting = None
    if acting_email:
        acting = find_user_by_email(acting_email)
        if acting is None:
            raise click.ClickException(f"No user with the email {acting_email}.")
    try:
        csv_file, chosen, mapping = importer.open_file(path.read_bytes(), "" if preset == "none" else preset)
        mapping.update(_manual(mappings, csv_file.headers))
        click.echo(
            f"{path.name}: {len(csv_file.rows)} rows, {csv_file.encoding}, "
            f"delimiter {csv_file.delimiter!r}, format: {crm_import.PRESET_LABELS.get(chosen, 'manual mapping')}"
        )
        plan = importer.build_plan(csv_file, mapping, Options(chosen, date_format, number_format))
    except (ImportFileError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    if plan.options.unsure_dates:
        raise click.ClickException(
            f"Dates such as {', '.join(plan.options.unsure_dates)} can be read month first or day first, "
            "and nothing in the file tells which. Run again with --date-format mdy (month first, as in "
            "the US) or --date-format dmy (day first, as in most of Europe)."
        )
    if csv_file.footer_lines:
        click.echo(f"Left out the report's totals and footer: {_lines(csv_file.footer_lines)}.")
    click.echo("Columns: " + ", ".join(f"{key}={col}" for key, col in plan.mapping.items() if col))
    click.echo(
        f"Dates read as {parsing.DATE_FORMATS[plan.options.date_format]}, amounts as {plan.options.number_format}."
    )
    for error in plan.errors:
        click.echo(f"line {error.line}: ERROR {error.crm_id or '(no id)'}: {error.reason}", err=True)
    if dry_run:
        _report_rows(plan, quiet, [(r.line, r.crm_id, plan.results[r.crm_id]) for r in plan.rows])
        click.echo(
            f"Dry run: would create {plan.count('created')}, update {plan.count('updated')}, "
            f"leave {plan.count('unchanged')} unchanged; {len(plan.errors)} rows with errors."
        )
        return

    def progress(done: int, total: int) -> None:
        click.echo(f"Saved {done}/{total} rows", err=True)

    label = f"command-line import of {path.name}"
    summary = importer.run(plan, acting=acting, label=label, progress=progress)
    _report_rows(plan, quiet, summary.outcomes)
    click.echo(
        f"Done: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{len(plan.errors)} rows with errors."
    )
    if plan.errors:
        raise SystemExit(1 if not plan.rows else 2)


def _lines(lines: list[int]) -> str:
    return "line " + str(lines[0]) if len(lines) == 1 else f"lines {', '.join(map(str, lines))}"


def _report_rows(plan: importer.Plan, quiet: bool, outcomes) -> None:
    if quiet:
        return
    for line, crm_id, result in outcomes:
        click.echo(f"line {line}: {result} {crm_id}")


def _manual(mappings: tuple[str, ...], headers: list[str]) -> dict[str, str | None]:
    result: dict[str, str | None] = {}
    for item in mappings:
        key, sep, column = item.partition("=")
        if not sep or key not in crm_import.TARGET_KEYS:
            raise click.BadParameter(
                f"{item!r}: use FIELD=COLUMN with FIELD one of {', '.join(crm_import.TARGET_KEYS)}"
            )
        if column and column not in headers:
            raise click.BadParameter(f"{item!r}: the file has no column {column!r}")
        result[key] = column or None
    return result
