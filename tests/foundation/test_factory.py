from __future__ import annotations

from pathlib import Path

import pytest

from hub import create_app
from hub.storage import LocalStorage


def test_config_comes_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    monkeypatch.setenv("HUB_STORAGE", str(tmp_path / "blobs"))
    monkeypatch.setenv("HUB_MAX_UPLOAD_MB", "7")
    monkeypatch.delenv("HUB_SECRET_KEY", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")
    assert app.config["MAX_CONTENT_LENGTH"] == 7 * 1024 * 1024
    assert isinstance(app.extensions["hub_storage"], LocalStorage)
    assert Path(app.extensions["hub_storage"].root) == (tmp_path / "blobs").resolve()


def test_defaults_live_in_the_instance_folder(monkeypatch, tmp_path):
    for name in ("HUB_DATABASE_URL", "HUB_STORAGE", "HUB_SECRET_KEY", "HUB_INDEX_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'hub.db'}"
    assert app.config["HUB_STORAGE"] == str(tmp_path / "inst" / "files")


def test_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("HUB_SECRET_KEY", raising=False)
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path / "inst"))
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 64
    assert (tmp_path / "inst" / "secret_key").read_text().strip() == first
    monkeypatch.setenv("HUB_SECRET_KEY", "from-env")
    assert create_app().config["SECRET_KEY"] == "from-env"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from sqlalchemy import text

    from hub.extensions import db

    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
        assert conn.scalar(text("PRAGMA foreign_keys")) == 1


def test_sqlite_writers_in_other_processes_take_turns(app):
    from hub.database import writing
    from hub.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has row locks; only SQLite writers queue on a file")

    def write() -> None:
        with writing():
            pass

    waited = _seconds_taken_while_turn_held(write, 0.6)
    assert waited >= 0.3, "the write went ahead while another process held the turn"


def _hold_turn_in_other_process(turn_file: str, seconds: float):
    import subprocess
    import sys

    holder = subprocess.Popen(  # noqa: S603 - the test's own interpreter and script
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('holding', flush=True)\n"
            f"time.sleep({seconds})\n",
            turn_file,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def _seconds_taken_while_turn_held(action, hold_seconds: float) -> float:
    """How long `action` took while another process held the SQLite writer turn for `hold_seconds`."""
    import time

    from hub.extensions import db

    holder = _hold_turn_in_other_process(f"{db.engine.url.database}.writer", hold_seconds)
    try:
        started = time.monotonic()
        action()
        return time.monotonic() - started
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_usage_events_wait_for_the_sqlite_writer_turn(app):

    from sqlalchemy import func
    from sqlalchemy import select

    from hub import tracking
    from hub.extensions import db
    from hub.models import EventKind
    from hub.models import UsageEvent

    if db.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite writers queue on a file")
    waited = _seconds_taken_while_turn_held(lambda: tracking.record(EventKind.SEARCH, query="pricing"), 0.6)
    assert waited >= 0.3, "the event was written while another process held the turn"
    assert db.session.scalar(select(func.count()).select_from(UsageEvent)) == 1


def test_a_session_that_already_wrote_does_not_wait_for_a_turn(app):
    """It holds SQLite's lock: queueing behind a writer that waits for that lock would deadlock."""

    from hub import tracking
    from hub.extensions import db
    from hub.models import EventKind

    if db.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite writers queue on a file")
    tracking.add(EventKind.SEARCH, query="first")
    db.session.flush()
    waited = _seconds_taken_while_turn_held(lambda: tracking.record(EventKind.SEARCH, query="second"), 2.0)
    assert waited < 1.0


def test_sqlite_writes_go_on_when_the_turn_file_cannot_be_made(app, monkeypatch, caplog):
    import os

    from hub import database
    from hub.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite writers queue on a file")
    real_open = os.open

    def refuse(path, *args, **kwargs):
        if str(path).endswith(".writer"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(database.os, "open", refuse)
    monkeypatch.setattr(database, "_turn_files", {})
    with database.writing():
        written = True
    assert written
    assert "will not queue across processes" in caplog.text


def test_bad_number_in_environment_is_a_clear_error(monkeypatch, tmp_path):
    import pytest

    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("HUB_MAX_UPLOAD_MB", "lots")
    with pytest.raises(RuntimeError, match="HUB_MAX_UPLOAD_MB must be a whole number"):
        create_app()
