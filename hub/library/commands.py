"""`flask --app hub import-folder DIR`: load a whole folder of existing collateral."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint

from hub.library import importer
from hub.models import AssetType
from hub.models import Persona
from hub.models import Stage

STATUS_COLOURS = {"imported": "green", "duplicate": "yellow", "rejected": "red"}


def register_commands(bp: Blueprint) -> None:
    @bp.cli.command("import-folder")
    @click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--persona", "personas", multiple=True, help="Persona name; repeat for several.")
    @click.option("--stage", "stages", multiple=True, help="Stage name; repeat for several.")
    @click.option(
        "--type",
        "asset_type",
        default=AssetType.OTHER.value,
        show_default=True,
        help=f"One of: {', '.join(t.value for t in AssetType)}.",
    )
    @click.option("--tag", "tags", multiple=True, help="Free tag; repeat for several.")
    @click.option("--owner", default=None, help="Email of the owner (and uploader) of every imported asset.")
    @click.option(
        "--manifest",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="CSV with columns path,title,description,personas,stages,type,tags,owner,expires_on "
        "(lists separated by ';'); replaces the options above.",
    )
    def import_folder(directory, personas, stages, asset_type, tags, owner, manifest) -> None:
        """Import every file in DIRECTORY (or those listed in a manifest), reporting each result."""
        folder = directory.resolve()
        try:
            owner_user = importer.resolve_owner(owner)
            if manifest is not None:
                items = importer.manifest_items(folder, manifest)
            else:
                template = importer.ImportItem(
                    path=folder,
                    persona_ids=importer.resolve_terms(Persona, list(personas)),
                    stage_ids=importer.resolve_terms(Stage, list(stages)),
                    asset_type=importer.resolve_type(asset_type),
                    tags=list(tags),
                    owner=owner_user,
                )
                items = importer.folder_items(folder, template)
        except importer.ImportProblem as exc:
            raise click.ClickException(str(exc)) from exc
        if not items:
            click.echo(f"No files found in {click.format_filename(folder)}.")
            return
        click.echo(f"Importing {len(items)} file(s) from {click.format_filename(folder)}")

        def progress(number: int, total: int, result: importer.ImportResult) -> None:
            label = click.style(f"{result.status:<9}", fg=STATUS_COLOURS[result.status])
            click.echo(f"[{number}/{total}] {label} {result.path}: {result.message}")

        results = importer.run_import(folder, items, owner_user, progress)
        summary = ", ".join(f"{n} {status}" for status, n in importer.iter_summary(results))
        click.echo(f"Done: {summary}.")
