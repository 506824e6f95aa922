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

    @app.cli.command("demo")
    @click.option("--reset", is_flag=True, help="Delete all existing data first.")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
    def demo(reset: bool, if_empty: bool) -> None:
        """Load the Orbital demo company: users, collateral, deals, shares and 90 days of usage."""
        from hub.demo import loader

        if loader.has_data():
            if if_empty:
                click.echo("Demo data skipped: the database already has data.")
                return
            if not reset:
                raise click.ClickException(
                    "The database already has data. Use --reset to replace it with the demo."
                )
            click.echo("Removing existing data...")
            loader.reset()
        counts = loader.load(lambda step: click.echo(f"  - {step}"))
        click.echo("Demo loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()))

    @app.cli.command("demo-logins")
    def demo_logins() -> None:
        """Print the demo accounts."""
        from hub.demo.loader import DEMO_PASSWORD
        from hub.demo.loader import DEMO_USERS

        click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for email, name, role, _team in DEMO_USERS:
            click.echo(f"  {role.value:<9} {email:<18} {name}")
