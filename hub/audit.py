"""The audit log: who did what. Services call `log` inside their own transaction."""

from __future__ import annotations

from flask import has_request_context
from flask import request

from hub.extensions import db
from hub.models import AuditEntry


def log(
    action: str,
    *,
    user_id: int | None,
    target_type: str | None = None,
    target_id: object = None,
    detail: str | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Stage an audit entry; it is committed with the change it describes."""
    entry = AuditEntry(
        action=action,
        user_id=user_id,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=(detail or None) and detail[:4000],
        ip_address=ip_address or _client_address(),
    )
    db.session.add(entry)
    return entry


def _client_address() -> str | None:
    """The caller's address when a web request made the change (after ProxyFix, the real client)."""
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:64] or None
