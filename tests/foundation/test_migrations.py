"""The Alembic history builds the schema from nothing and matches the models."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import text

from hub import ROOT
from hub import create_app
from hub.models import Base


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path / "inst"))
    url = os.environ.get("HUB_TEST_DATABASE_URL")
    if url:
        from tests.conftest import _worker_pg_url

        url = _worker_pg_url().replace("_hub_", "_mig_")
        engine = create_engine(_worker_pg_url(), isolation_level="AUTOCOMMIT")
        name = url.rsplit("/", 1)[1]
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        yield app
        from hub.extensions import db

        db.engine.dispose()


def test_single_head():
    script = ScriptDirectory(str(ROOT / "migrations"))
    assert len(script.get_heads()) == 1


def test_upgrade_from_nothing_matches_models(empty_app):
    from hub.extensions import db

    upgrade(directory=str(ROOT / "migrations"))
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_downgrade_to_base_and_back(empty_app):
    from hub.extensions import db

    upgrade(directory=str(ROOT / "migrations"))
    downgrade(directory=str(ROOT / "migrations"), revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(directory=str(ROOT / "migrations"))
    assert "asset" in inspect(db.engine).get_table_names()
