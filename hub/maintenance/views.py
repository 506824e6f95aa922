"""Operator commands: `flask --app hub backup`, `restore` and `check`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint
from flask import current_app

from hub.maintenance.backup import BackupError
from hub.maintenance.backup import create_backup
from hub.maintenance.backup import default_path
from hub.maintenance.check import describe
from hub.maintenance.check import run_check
from hub.maintenance.restore import restore_backup

bp = Blueprint("maintenance", __name__, cli_group=None)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


@bp.cli.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path | None) -> None:
    """Write the database and every stored file into one .tar.gz archive (safe while Hub runs).

    PATH defaults to backups/hub-<date>-<time>.tar.gz in the instance folder.
    """
    target = path or default_path(current_app.instance_path)
    click.echo(f"Backing up to {target}")
    result = create_backup(target, progress=click.echo)
    rows = sum(result.rows.values())
    click.echo(f"Done: {rows} rows in {len(result.rows)} tables, {result.files} files, {_size(result.size)}.")
    if result.missing_files:
        click.echo(
            f"Note: {len(result.missing_files)} files were deleted while the backup ran and are not in it.",
            err=True,
        )


@bp.cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data of an instance that is not empty.")
def restore_command(path: Path, force: bool) -> None:
    """Bring back a backup archive on an empty instance, then rebuild the search index."""
    try:
        result = restore_backup(path, force=force, progress=click.echo)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(result.rows.values())
    click.echo(f"Restored {rows} rows and {result.files} files; {result.indexed} assets indexed.")


@bp.cli.command("check")
@click.option("--repair", is_flag=True, help="Fix what can be fixed safely (see below).")
@click.option(
    "--grace-minutes",
    type=click.FloatRange(min=0),
    default=60,
    show_default=True,
    help="Leave files younger than this alone: an upload may still be writing them.",
)
def check_command(repair: bool, grace_minutes: float) -> None:
    """Compare the database, stored files and search index.

    Reports: files without rows, rows whose file is missing, unused blobs, unfinished temporary
    files, assets not pointing at a version, and search documents missing, out of date or left
    over. --repair deletes old orphan and temporary files, points assets at their latest version
    and reindexes. Rows whose file is missing are reported only: restore the file from a backup.
    Exits with status 1 while problems remain.
    """
    report = run_check(repair=repair, grace_seconds=grace_minutes * 60, progress=click.echo)
    for line in describe(report):
        click.echo(line)
    if not report.findings:
        click.echo("Everything is consistent.")
        return
    left = report.unresolved
    click.echo(
        f"{len(report.findings)} findings, {len(report.findings) - len(left)} repaired, {len(left)} open."
    )
    if left:
        hint = "" if repair else " Run again with --repair to fix what can be fixed."
        raise click.ClickException(f"Problems remain.{hint}")
