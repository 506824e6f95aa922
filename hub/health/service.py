"""Quick, read-only probes of the parts Hub needs to serve requests."""

from __future__ import annotations

import logging

from sqlalchemy import text

from hub.extensions import db
from hub.maintenance import index_state
from hub.storage import get_storage

log = logging.getLogger(__name__)


def _database() -> dict:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "engine": db.engine.dialect.name}


def _storage() -> dict:
    get_storage().check()
    return {"status": "ok"}


PROBES = {"database": _database, "storage": _storage, "index": index_state.status}


def status() -> dict:
    """Run every probe; details of a failure go to the log, not to the anonymous caller."""
    report: dict = {}
    for name, probe in PROBES.items():
        try:
            report[name] = probe()
        except Exception:  # a broken part must show up as 503, whatever it raised
            log.exception("health probe %s failed", name)
            db.session.rollback()
            report[name] = {"status": "error"}
    report["status"] = "ok" if all(part["status"] == "ok" for part in report.values()) else "error"
    return report
