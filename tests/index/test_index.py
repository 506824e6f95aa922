"""The index follows every change, rebuilds itself when missing, stale or damaged, and loses no update."""

from __future__ import annotations

import fcntl
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from hub import index
from hub.extensions import db
from hub.index import _writer
from hub.index._schema import VERSION_FILE
from hub.library import service as library
from hub.models import Asset
from tests import factories


def titles(text: str, **kwargs) -> list[str]:
    return [hit.title for hit in index.search(text, **kwargs).hits]


def test_create_edit_archive_and_delete_are_followed(app, users):
    marketer, admin = users["marketer"], users["admin"]
    asset = factories.make_asset(marketer, title="Security overview", text="Encryption at rest", kind="txt")
    assert titles("encryption") == ["Security overview"]

    library.update_asset(asset, acting=marketer, title="Security and privacy overview")
    assert titles("privacy") == ["Security and privacy overview"]

    library.archive_asset(asset, marketer)
    assert titles("encryption") == []
    assert titles("encryption", filters=index.Filters(include_archived=True)) == [
        "Security and privacy overview"
    ]

    library.restore_asset(asset, marketer)
    data, filename = factories.sample_file("txt", title="v2", text="Now with residency controls")
    library.add_version(asset, data=data, filename=filename, uploaded_by=marketer)
    assert titles("residency") == ["Security and privacy overview"]
    assert titles("encryption") == [], "the old version's text is replaced by the new one"

    library.delete_asset(asset, admin)
    assert titles("privacy") == []


def test_stemming_matches_word_forms(app, users):
    factories.make_asset(
        users["marketer"], title="Pricing companies", text="How we price for companies", kind="txt"
    )
    assert titles("priced company") == ["Pricing companies"]


def test_expired_assets_are_hidden_unless_asked(app, users):
    factories.make_asset(
        users["marketer"], title="Old promo", text="Spring promotion", kind="txt", expires_on=date(2020, 1, 1)
    )
    assert titles("promotion") == []
    assert titles("promotion", filters=index.Filters(include_expired=True)) == ["Old promo"]


def test_missing_index_is_rebuilt(app, users):
    factories.make_asset(users["marketer"], title="Battle card", text="Beat the competition", kind="txt")
    shutil.rmtree(app.config["HUB_INDEX_DIR"])
    assert titles("competition") == ["Battle card"]


def test_schema_version_mismatch_rebuilds(app, users):
    factories.make_asset(users["marketer"], title="Datasheet", text="Uptime guarantee", kind="txt")
    (Path(app.config["HUB_INDEX_DIR"]) / VERSION_FILE).write_text("0")
    assert titles("uptime") == ["Datasheet"]
    assert (Path(app.config["HUB_INDEX_DIR"]) / VERSION_FILE).read_text() != "0"


def test_corrupt_index_is_rebuilt(app, users):
    factories.make_asset(users["marketer"], title="Whitepaper", text="Resilience and recovery", kind="txt")
    index_dir = Path(app.config["HUB_INDEX_DIR"])
    for path in index_dir.iterdir():
        if path.name != VERSION_FILE:
            path.write_bytes(b"\x00garbage")
    assert titles("recovery") == ["Whitepaper"]


def test_update_waits_for_the_lock_and_queues_when_it_cannot(app, users):
    asset = factories.make_asset(users["marketer"], title="Case study", text="Retail growth", kind="txt")
    app.config["HUB_INDEX_LOCK_TIMEOUT"] = 0.2
    asset.title = "Retail case study"
    db.session.commit()
    holder = os.open(_writer.lock_path(app.config["HUB_INDEX_DIR"]), os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        index.update_asset(asset)  # cannot get the lock: queued, not lost, and no error for the caller
    finally:
        fcntl.flock(holder, fcntl.LOCK_UN)
        os.close(holder)
    assert Path(_writer.pending_path(app.config["HUB_INDEX_DIR"])).exists()
    assert titles("retail") == ["Retail case study"]
    assert not Path(_writer.pending_path(app.config["HUB_INDEX_DIR"])).exists()


def test_rebuild_counts_and_reports_progress(app, users):
    for n in range(3):
        factories.make_asset(users["marketer"], title=f"Deck {n}", text="Quarterly roadmap", kind="txt")
    seen = []
    assert index.rebuild(progress=lambda done, total: seen.append((done, total))) == 3
    assert seen[-1] == (3, 3)
    assert len(titles("roadmap")) == 3


def test_reindex_command(app, users, runner):
    factories.make_asset(users["marketer"], title="Onboarding plan", text="Week one checklist", kind="txt")
    shutil.rmtree(app.config["HUB_INDEX_DIR"], ignore_errors=True)
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "indexed 1 of 1 assets" in result.output
    assert "Indexed 1 assets" in result.output
    assert titles("checklist") == ["Onboarding plan"]


def test_a_deleted_asset_row_is_dropped_by_a_queued_refresh(app, users):
    asset = factories.make_asset(users["marketer"], title="Gone soon", text="Ephemeral", kind="txt")
    asset_id = asset.id
    db.session.delete(db.session.get(Asset, asset_id))
    db.session.commit()
    _writer.enqueue(app.config["HUB_INDEX_DIR"], [asset_id])
    assert titles("ephemeral") == []


@pytest.mark.parametrize("sort", index.SORTS)
def test_every_sort_answers_on_an_empty_index(app, sort):
    page = index.search("anything", sort=sort)
    assert page.total == 0 and not page.degraded


def _settle(index_dir: str) -> None:
    """Make the index folder look unchanged for a minute, as between edits on a running server."""
    past = os.stat(index_dir).st_mtime - 60
    os.utime(index_dir, (past, past))


def test_a_settled_index_is_searched_without_rechecking_it(app, users, monkeypatch):
    factories.make_asset(users["marketer"], title="Pricing sheet", text="Annual plans", kind="txt")
    index_dir = app.config["HUB_INDEX_DIR"]
    _settle(index_dir)
    assert titles("annual") == ["Pricing sheet"]  # checked in full once, and the folder's stamp kept

    def no_check(*_args):
        raise AssertionError("the version file was read again")

    monkeypatch.setattr(_writer, "is_current", no_check)
    assert titles("annual") == ["Pricing sheet"]
    assert index.suggest("anual") == "annual"


def test_a_change_after_settling_is_seen_at_once(app, users):
    asset = factories.make_asset(users["marketer"], title="Pricing sheet", text="Annual plans", kind="txt")
    index_dir = app.config["HUB_INDEX_DIR"]
    _settle(index_dir)
    assert titles("annual") == ["Pricing sheet"]
    # another writer's commit adds a table of contents to the folder, which moves its stamp
    library.update_asset(asset, acting=users["marketer"], title="Pricing and plans")
    assert titles("annual") == ["Pricing and plans"]
    # so does a rebuild by another process, which swaps in another folder
    _settle(index_dir)
    assert titles("annual") == ["Pricing and plans"]
    asset.title = "Plans and pricing"
    db.session.commit()
    _writer.rebuild(index_dir, **index._options())
    _settle(index_dir)
    assert titles("annual") == ["Plans and pricing"]
    # and so does a delete, which commits only a new table of contents
    _settle(index_dir)
    assert titles("annual") == ["Plans and pricing"]
    index.delete_asset(asset.id)
    assert titles("annual") == []


def test_queued_updates_are_applied_even_when_the_folder_is_settled(app, users):
    asset = factories.make_asset(users["marketer"], title="Case study", text="Retail growth", kind="txt")
    index_dir = app.config["HUB_INDEX_DIR"]
    _settle(index_dir)
    assert titles("retail") == ["Case study"]
    asset.title = "Retail case study"
    db.session.commit()
    _settle(index_dir)
    _writer.enqueue(index_dir, [asset.id])
    assert titles("retail") == ["Retail case study"]
