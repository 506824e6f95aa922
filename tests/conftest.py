"""Shared fixtures: a real app on a real database file (or PostgreSQL), one logged-in client per role."""

from __future__ import annotations

import contextvars
import os
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hub import create_app
from hub.extensions import db
from hub.models import Base
from hub.models import Role
from tests import factories

PASSWORD = "correct-horse-battery"
PG_URL = os.environ.get("HUB_TEST_DATABASE_URL")


def _worker_pg_url() -> str:
    """One database per xdist worker so parallel workers never share tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = make_url(PG_URL)
    name = f"{url.database}_hub_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Build the schema once per session; each test then starts from a copy (SQLite) or a truncate (PostgreSQL)."""
    if PG_URL:
        url = _worker_pg_url()
        engine = create_engine(url)
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        Base.metadata.create_all(engine)
        engine.dispose()
        return url
    path = tmp_path_factory.mktemp("template") / "hub.db"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    return path


def _fresh_database(template, instance: Path) -> str:
    if PG_URL:
        engine = create_engine(template)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template
    target = instance / "hub.db"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def instance_path(tmp_path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def app_config(instance_path, database_template) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _fresh_database(database_template, instance_path),
        "HUB_STORAGE": str(instance_path / "files"),
        "HUB_INDEX_DIR": str(instance_path / "index"),
        "HUB_CACHE_DIR": str(instance_path / "cache"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret",
    }


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does, so `g` never leaks between requests."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(app_config, instance_path, monkeypatch):
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(instance_path))
    application = create_app(app_config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def users(app) -> dict:
    return {
        "admin": factories.make_user(Role.ADMIN, email="admin@example.com", password=PASSWORD),
        "marketer": factories.make_user(Role.MARKETER, email="marketer@example.com", password=PASSWORD),
        "rep": factories.make_user(Role.REP, email="rep@example.com", password=PASSWORD),
    }


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def client(app):
    return app.test_client()


def _logged_in(app, users, role: str):
    client = app.test_client()
    response = login(client, users[role].email)
    assert response.status_code == 302, f"{role} could not log in"
    return client


@pytest.fixture
def admin_client(app, users):
    return _logged_in(app, users, "admin")


@pytest.fixture
def marketer_client(app, users):
    return _logged_in(app, users, "marketer")


@pytest.fixture
def rep_client(app, users):
    return _logged_in(app, users, "rep")


from tests.browser import browser_context  # noqa: E402,F401
from tests.browser import chromium  # noqa: E402,F401
from tests.browser import live_server  # noqa: E402,F401
from tests.browser import page  # noqa: E402,F401
