"""Builders for the maintenance tests: a realistic instance, and an empty one to restore into."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hub import create_app
from hub import samples
from hub import tracking
from hub.deals.service import close_deal
from hub.deals.service import log_asset_use
from hub.extensions import db
from hub.library.service import add_version
from hub.library.service import create_link_asset
from hub.models import Base
from hub.models import Blob
from hub.models import DealAssetSource
from hub.models import DealStatus
from hub.models import EventKind
from hub.requests.service import file_request
from hub.requests.service import record_feedback
from hub.shares.service import create_share
from hub.shares.service import revoke_share
from hub.storage import blob_key
from hub.storage import get_storage
from tests import factories
from tests.conftest import IsolatedClient


def populate(users) -> dict:
    """Some of everything: files with versions, a link, deals, shares, events, requests, feedback."""
    personas, stages = factories.make_taxonomy()
    marketer, rep = users["marketer"], users["rep"]
    deck = factories.make_asset(
        marketer, title="Platform overview", kind="pptx", personas=personas[:2], stages=stages[:1]
    )
    study = factories.make_asset(
        marketer, title="Acme case study", text="Acme cut costs by 30 percent.", stages=stages[1:3]
    )
    add_version(
        study,
        data=samples.make_pdf("Acme case study v2", ["Acme cut costs by 35 percent."]),
        filename="acme-v2.pdf",
        uploaded_by=marketer,
        note="new figures",
    )
    notes = factories.make_asset(
        marketer, title="Objection handling", kind="docx", text="Price objections & answers"
    )
    video = create_link_asset(
        url="https://video.example.com/demo", title="Demo video", owner=marketer, created_by=marketer
    )
    deal = factories.make_deal(owner=rep, name="Acme renewal", account="Acme")
    lost = factories.make_deal(owner=rep, name="Globex", account="Globex")
    log_asset_use(deal, study, rep, DealAssetSource.MEETING, note="walked through it")
    share = create_share(
        created_by=rep, assets=[study, deck], deal=deal, recipient_name="Pat", note="As promised"
    )
    gone = create_share(created_by=rep, assets=[notes])
    revoke_share(gone, acting=rep)
    close_deal(deal, DealStatus.WON, date(2026, 3, 1), acting=rep)
    close_deal(lost, DealStatus.LOST, date(2026, 3, 2), acting=rep)
    tracking.record(
        EventKind.SEARCH, user_id=rep.id, query="acme", result_count=2, filters={"persona": [personas[0].id]}
    )
    file_request(
        requester=rep, title="CFO one-pager", details="For finance buyers", persona_id=personas[0].id
    )
    record_feedback(asset=study, user=rep, rating=5, comment="Closed Acme with this")
    return {"assets": [deck, study, notes, video], "share": share, "deal": deal}


def table_rows(engine) -> dict[str, list]:
    """Every row of every table, as comparable tuples."""
    rows = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            result = conn.execute(select(table).order_by(*table.primary_key.columns))
            rows[table.name] = [tuple(row) for row in result]
    return rows


def blob_bytes() -> dict[str, bytes]:
    storage = get_storage()
    return {sha: storage.read(blob_key(sha)) for sha in db.session.scalars(select(Blob.sha256))}


def empty_database_url(instance: Path, source_url: str, suffix: str) -> str:
    """A database with no tables at all: a new SQLite file, or a new PostgreSQL database."""
    if source_url.startswith("sqlite"):
        return f"sqlite:///{instance / 'hub.db'}"
    url = make_url(source_url)
    name = f"{url.database}_{suffix}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def fresh_app(tmp_path: Path, app_config: dict, suffix: str = "restore"):
    """A second, empty Hub instance (own folder, own database, own storage and index)."""
    instance = tmp_path / f"fresh-{suffix}"
    instance.mkdir()
    config = {
        **app_config,
        "SQLALCHEMY_DATABASE_URI": empty_database_url(
            instance, app_config["SQLALCHEMY_DATABASE_URI"], suffix
        ),
        "HUB_STORAGE": str(instance / "files"),
        "HUB_INDEX_DIR": str(instance / "index"),
        "HUB_CACHE_DIR": str(instance / "cache"),
    }
    previous = os.environ.get("HUB_INSTANCE_PATH")
    os.environ["HUB_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app(config)
    finally:
        if previous is not None:
            os.environ["HUB_INSTANCE_PATH"] = previous
    app.test_client_class = IsolatedClient
    return app
