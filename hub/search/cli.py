"""`flask --app hub reindex`: rebuild the search index from the database."""

from __future__ import annotations

import time

import click
from flask import Blueprint

from hub import index


def register_commands(bp: Blueprint) -> None:
    @bp.cli.command("reindex")
    def reindex() -> None:
        """Rebuild the search index from the database (searches keep answering from the old one meanwhile)."""
        started = time.monotonic()
        shown = {"at": 0.0}

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done == total or now - shown["at"] >= 1.0:
                shown["at"] = now
                click.echo(f"  indexed {done:,} of {total:,} assets")

        click.echo("Rebuilding the search index …")
        count = index.rebuild(progress=progress)
        click.echo(f"Indexed {count:,} assets in {time.monotonic() - started:.1f} s.")
