"""Several worker processes writing to the index at once lose nothing and leave it readable."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import insert

from hub import index
from hub.extensions import db
from hub.models import Asset
from hub.models import Blob
from hub.models import utcnow
from hub.models.asset import AssetVersion

WORKERS = 4
PER_WORKER = 15


def _write_from_another_process(config: dict, instance: str, asset_ids: list[int], errors) -> None:
    import os

    os.environ["HUB_INSTANCE_PATH"] = instance
    from hub import create_app

    app = create_app(config)
    try:
        with app.app_context():
            for asset_id in asset_ids:
                asset = db.session.get(Asset, asset_id)
                asset.title = f"{asset.title} revised"
                db.session.commit()
                index.update_asset(asset)
            db.session.remove()
            db.engine.dispose()
    except Exception as exc:  # reported to the parent, which fails the test
        errors.put(repr(exc))


def _bulk_assets(count: int) -> list[int]:
    now = utcnow()
    db.session.add(Blob(sha256="f" * 64, size=1, mime_type="text/plain"))
    db.session.commit()
    rows = [
        {
            "title": f"Concurrent {n}",
            "description": "",
            "asset_type": "other",
            "status": "published",
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]
    db.session.execute(insert(Asset), rows)
    db.session.commit()
    ids = sorted(db.session.scalars(db.select(Asset.id)))
    for asset_id in ids:
        version = AssetVersion(
            asset_id=asset_id,
            number=1,
            blob_sha256="f" * 64,
            filename="a.txt",
            mime_type="text/plain",
            size=1,
            extracted_text=f"shared words and marker{asset_id}",
        )
        db.session.add(version)
        db.session.flush()
        db.session.get(Asset, asset_id).current_version_id = version.id
    db.session.commit()
    return ids


def test_four_processes_writing_at_once_lose_no_update(app, app_config, instance_path):
    ids = _bulk_assets(WORKERS * PER_WORKER)
    index.rebuild()
    context = multiprocessing.get_context("spawn")
    errors = context.Queue()
    chunks = [ids[n::WORKERS] for n in range(WORKERS)]
    workers = [
        context.Process(
            target=_write_from_another_process, args=(app_config, str(instance_path), chunk, errors)
        )
        for chunk in chunks
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
        assert worker.exitcode == 0
    assert errors.empty(), errors.get()

    page = index.search("revised", per_page=200)
    assert page.total == len(ids)
    assert sorted(hit.asset_id for hit in page.hits) == ids
    for asset_id in (ids[0], ids[-1]):
        assert [hit.asset_id for hit in index.search(f"marker{asset_id}").hits] == [asset_id]
