from __future__ import annotations

from pathlib import Path

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


def test_bad_number_in_environment_is_a_clear_error(monkeypatch, tmp_path):
    import pytest

    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("HUB_MAX_UPLOAD_MB", "lots")
    with pytest.raises(RuntimeError, match="HUB_MAX_UPLOAD_MB must be a whole number"):
        create_app()
