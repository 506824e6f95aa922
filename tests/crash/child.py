"""Runs one Hub operation in its own process and stops at a chosen step, so a test can SIGKILL it there.

python -m tests.crash.child SCENARIO [ARGS]; the app config comes as JSON in HUB_CRASH_CONFIG, and the
process writes its pid to the file HUB_CRASH_MARKER when it reaches the step, then waits to be killed.
Nothing is faked: the pauses only hold the real code still at the moment a crash would hit it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

MARKER = Path(os.environ.get("HUB_CRASH_MARKER", "/nonexistent"))


def pause(*_args, **_kwargs) -> None:
    """Announce the step and wait for SIGKILL."""
    MARKER.write_text(str(os.getpid()))
    time.sleep(300)
    raise SystemExit("not killed in time")


def pause_after_flush_of(model) -> None:
    """Stop inside the transaction right after rows of `model` reach the database, before the commit."""

    def after_flush(session, _context) -> None:
        if any(isinstance(obj, model) for obj in session.new):
            pause()

    event.listen(Session, "after_flush", after_flush)


def upload(step: str) -> None:
    from hub import samples
    from hub.library.service import create_file_asset
    from hub.models import AssetVersion

    if step == "write":
        # the bytes are in the temporary file, not yet synced nor renamed to their key
        os.fsync = pause
    elif step == "commit":
        pause_after_flush_of(AssetVersion)
    elif step == "index":
        from hub import index

        index.update_asset = pause
    data = samples.make_pdf("Killed upload", ["Crash safety proof page. Zeppelin pricing."])
    create_file_asset(data=data, filename="killed.pdf", title="Killed upload", owner=None, uploaded_by=None)


def import_deals(path: str) -> None:
    from hub.deals import importer
    from hub.deals import service
    from hub.deals.crm_import import Options
    from hub.models import Deal

    original = service.import_deals
    calls = []

    def second_batch_stops(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            pause_after_flush_of(Deal)
        return original(*args, **kwargs)

    service.import_deals = second_batch_stops
    csv_file, preset, mapping = importer.open_file(Path(path).read_bytes())
    plan = importer.build_plan(csv_file, mapping, Options())
    importer.run(plan, acting=None, label="crash test", batch_size=100)


def index_update(asset_id: str) -> None:
    from sqlalchemy import select
    from whoosh.writing import SegmentWriter

    from hub.extensions import db
    from hub.library.service import update_asset
    from hub.models import Asset
    from hub.models import Role
    from hub.models import User

    # the new segment is written; the table of contents that would make it live is not
    SegmentWriter._commit_toc = pause
    asset = db.session.get(Asset, int(asset_id))
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    update_asset(asset, acting=admin, title="Renamed while crashing")


def index_rebuild() -> None:
    from whoosh.writing import SegmentWriter

    from hub import index

    SegmentWriter._commit_toc = pause
    index.rebuild()


SCENARIOS = {
    "upload-write": lambda: upload("write"),
    "upload-commit": lambda: upload("commit"),
    "upload-index": lambda: upload("index"),
    "import": import_deals,
    "index-update": index_update,
    "index-rebuild": index_rebuild,
}


def main() -> None:
    scenario, args = sys.argv[1], sys.argv[2:]
    from hub import create_app

    app = create_app(json.loads(os.environ["HUB_CRASH_CONFIG"]))
    with app.app_context():
        SCENARIOS[scenario](*args)
    raise SystemExit("the operation finished without reaching its crash point")


if __name__ == "__main__":
    main()
