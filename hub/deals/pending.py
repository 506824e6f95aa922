"""Uploaded CRM files kept on the server between the import steps (upload, map, preview, import)."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

# an abandoned upload is removed after this long
MAX_AGE_SECONDS = 24 * 3600
_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class PendingImport:
    id: str
    user_id: int
    filename: str
    created_at: float
    preset: str = ""
    date_format: str = "auto"
    number_format: str = "auto"
    mapping: dict[str, str | None] = field(default_factory=dict)


class PendingImports:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _paths(self, import_id: str) -> tuple[Path, Path]:
        return self.directory / f"{import_id}.csv", self.directory / f"{import_id}.json"

    def create(self, data: bytes, *, user_id: int, filename: str) -> PendingImport:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.purge_stale()
        pending = PendingImport(
            id=secrets.token_hex(16), user_id=user_id, filename=filename[:200], created_at=time.time()
        )
        data_path, _meta = self._paths(pending.id)
        fd = os.open(data_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.save(pending)
        return pending

    def save(self, pending: PendingImport) -> None:
        _data, meta_path = self._paths(pending.id)
        tmp = meta_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(pending)))
        tmp.replace(meta_path)

    def get(self, import_id: str, *, user_id: int) -> PendingImport | None:
        """The upload, only for the user who made it; None when unknown, expired or someone else's."""
        if not _ID.match(import_id or ""):
            return None
        data_path, meta_path = self._paths(import_id)
        try:
            pending = PendingImport(**json.loads(meta_path.read_text()))
        except (OSError, ValueError, TypeError):
            return None
        if pending.user_id != user_id or not data_path.exists():
            return None
        if time.time() - pending.created_at > MAX_AGE_SECONDS:
            self.delete(import_id)
            return None
        return pending

    def data(self, pending: PendingImport) -> bytes:
        return self._paths(pending.id)[0].read_bytes()

    def delete(self, import_id: str) -> None:
        for path in self._paths(import_id):
            path.unlink(missing_ok=True)

    def purge_stale(self) -> int:
        removed = 0
        cutoff = time.time() - MAX_AGE_SECONDS
        for path in self.directory.glob("*.*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    removed += 1
            except OSError:
                continue
        return removed
