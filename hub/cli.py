"""`flask --app hub ...` commands that are not tied to one area of the site."""

from __future__ import annotations

import click
from flask import Flask

from hub.auth import service as accounts
from hub.models import Role


def register_commands(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.option(
        "--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value, show_default=True
    )
    @click.option("--team", default=None)
    @click.password_option(help="At least 8 characters; prompted when omitted.")
    def create_user(email: str, name: str, role: str, team: str | None, password: str) -> None:
        """Create a user (the first admin, typically)."""
        try:
            user = accounts.create_user(email, name, password, Role(role), team)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Created {user.role.value} {user.email}")
