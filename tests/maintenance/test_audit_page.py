"""Admins read and export the audit log; account changes are audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from hub import audit
from hub.extensions import db
from hub.models import AuditEntry
from hub.models import Role
from hub.models import utcnow


def _entries(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_admin_creating_a_user_is_audited(admin_client, users):
    response = admin_client.post(
        "/admin/users",
        data={"email": "new@example.com", "name": "New Rep", "role": "rep", "password": "long-enough-1"},
    )
    assert response.status_code == 302
    (entry,) = _entries("user.create")
    assert entry.user_id == users["admin"].id
    assert "new@example.com" in entry.detail
    assert entry.ip_address == "127.0.0.1"


def test_role_change_and_deactivation_are_audited(admin_client, users):
    rep = users["rep"]
    response = admin_client.post(
        f"/admin/users/{rep.id}", data={"name": rep.name, "role": "marketer", "team": "", "active": ""}
    )
    assert response.status_code == 302
    (change,) = _entries("user.role_change")
    assert change.target_id == str(rep.id)
    assert "rep -> marketer" in change.detail
    assert _entries("user.deactivate")[0].user_id == users["admin"].id


def test_password_reset_by_admin_is_audited(admin_client, users):
    rep = users["rep"]
    admin_client.post(
        f"/admin/users/{rep.id}",
        data={"name": rep.name, "role": "rep", "team": "", "active": "y", "new_password": "another-password"},
    )
    assert _entries("user.password_reset")[0].target_id == str(rep.id)
    assert _entries("user.role_change") == []


def _log(action, user, *, days_ago=0, detail=None):
    entry = audit.log(
        action, user_id=user.id if user else None, target_type="asset", target_id=1, detail=detail
    )
    entry.created_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return entry


def test_audit_page_lists_filters_and_pages(admin_client, users):
    for n in range(60):
        _log("asset.upload", users["marketer"], detail=f"upload {n}")
    _log("share.create", users["rep"], days_ago=10, detail="old share")
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "61 entries" in page
    assert "Page 1 of 2" in page
    assert "upload 59" in page and "old share" not in page
    second = admin_client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "old share" in second

    by_user = admin_client.get(f"/admin/audit?user={users['rep'].id}").get_data(as_text=True)
    assert "1 entry" in by_user and "old share" in by_user
    by_action = admin_client.get("/admin/audit?action=share.create").get_data(as_text=True)
    assert "1 entry" in by_action
    start = (utcnow() - timedelta(days=1)).date().isoformat()
    recent = admin_client.get(f"/admin/audit?start={start}").get_data(as_text=True)
    assert "60 entries" in recent


def test_bad_filters_get_a_message_not_an_error(admin_client):
    response = admin_client.get("/admin/audit?start=2026-05-01&end=2026-04-01")
    assert response.status_code == 400
    assert "The end date is before the start date." in response.get_data(as_text=True)
    assert admin_client.get("/admin/audit?start=yesterday").status_code == 400
    assert admin_client.get("/admin/audit?page=999").status_code == 200


def test_audit_text_is_escaped(admin_client, users):
    _log("asset.edit", users["marketer"], detail="<script>window.__xss=1</script>")
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "<script>window.__xss" not in page
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page


def test_csv_export_follows_the_filters_and_defuses_formulas(admin_client, users):
    _log("asset.upload", users["marketer"], detail='=HYPERLINK("http://evil")')
    _log("share.revoke", users["rep"], detail="revoked")
    response = admin_client.get("/admin/audit.csv?action=asset.upload")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["time_utc", "user_email", "user_name", "action"]
    assert len(rows) == 2
    assert rows[1][1] == users["marketer"].email
    assert rows[1][3] == "asset.upload"
    assert rows[1][6].startswith("'=")


def test_csv_export_streams_large_logs(admin_client, users):
    db.session.add_all(
        AuditEntry(action="asset.view", user_id=users["rep"].id, detail=f"n{n}") for n in range(2500)
    )
    db.session.commit()
    rows = list(csv.reader(io.StringIO(admin_client.get("/admin/audit.csv").get_data(as_text=True))))
    assert len(rows) == 2501
    assert rows[-1][6] == "n2499"


def test_only_admins_see_the_audit_log(marketer_client, rep_client):
    for client in (marketer_client, rep_client):
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit.csv").status_code == 403


def test_cli_user_creation_is_audited_without_actor(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "ops@example.com",
            "--name",
            "Ops",
            "--role",
            Role.ADMIN.value,
            "--password",
            "long-enough-1",
        ]
    )
    assert result.exit_code == 0, result.output
    (entry,) = _entries("user.create")
    assert entry.user_id is None and entry.ip_address is None


def test_users_page_links_to_the_audit_log(admin_client):
    assert "/admin/audit" in admin_client.get("/admin/users").get_data(as_text=True)
