"""Pooled PostgreSQL connections: checked before use only after sitting idle, replaced when found dead."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from hub import database
from hub.extensions import db


@pytest.fixture
def postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite connections are files; nothing to check")
    return db.engine


def test_a_connection_returned_a_moment_ago_is_used_without_a_check(postgres, monkeypatch):
    checks: list[object] = []
    monkeypatch.setattr(database, "ping", checks.append)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 60.0)
    with postgres.connect() as connection:
        connection.execute(text("SELECT 1"))
    checks.clear()
    with postgres.connect() as connection:
        assert connection.execute(text("SELECT 2")).scalar() == 2
    assert checks == []

    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    with postgres.connect() as connection:
        connection.execute(text("SELECT 3"))
    assert len(checks) == 1


def test_a_connection_that_died_while_idle_is_replaced_before_use(postgres, monkeypatch):
    with postgres.connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    # the server drops the pooled connection, as a restart or a proxy's idle timeout would
    killer = create_engine(postgres.url, poolclass=NullPool)
    with killer.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar()
    killer.dispose()
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    with postgres.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != backend


def test_a_checked_connection_goes_out_idle(postgres, monkeypatch):
    """The check's own query leaves no transaction open: a backup can still pick its isolation level."""
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    with postgres.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        assert connection.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"


def _terminate(engine, pid: int) -> None:
    killer = create_engine(engine.url, poolclass=NullPool)
    with killer.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    killer.dispose()


def test_a_driver_connection_found_dead_in_use_is_not_handed_out_again(postgres, monkeypatch):
    """The beacon path runs on driver connections; one the server dropped is replaced, not reused."""
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 60.0)
    with database.driver_connection() as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    _terminate(postgres, backend)
    with pytest.raises(Exception, match="terminat|closed|server"):
        with database.driver_connection() as connection:
            connection.cursor().execute("SELECT 1")
    with database.driver_connection() as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != backend
