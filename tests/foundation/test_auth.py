from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.models import AuditEntry
from hub.models import Role
from tests.conftest import PASSWORD
from tests.conftest import login


@pytest.mark.parametrize(
    ("role", "landing"),
    [("rep", "/search"), ("marketer", "/library"), ("admin", "/admin/users")],
)
def test_login_lands_each_role_on_its_home(client, users, role, landing):
    response = login(client, users[role].email)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 302
    assert home.headers["Location"].endswith(landing)
    assert client.get(landing).status_code == 200


def test_login_page_shows_form(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in to Hub" in page
    assert 'name="password"' in page


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("rep@example.com", "wrong-password"),
        ("nobody@example.com", PASSWORD),
        ("REP@EXAMPLE.COM", "wrong-password"),
    ],
)
def test_bad_login_says_nothing_about_which_half_was_wrong(client, users, email, password):
    response = login(client, email, password)
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Wrong email or password." in body
    assert "no such user" not in body.lower()
    assert client.get("/search").status_code == 302


def test_empty_login_form_is_rejected_with_field_messages(client, users):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)


def test_email_is_case_insensitive(client, users):
    assert login(client, "Rep@Example.com").status_code == 302


def test_logout_ends_the_session(rep_client):
    assert rep_client.get("/search").status_code == 200
    response = rep_client.post("/logout")
    assert response.status_code == 302
    assert rep_client.get("/search").status_code == 302


def test_logout_needs_post(rep_client):
    assert rep_client.get("/logout").status_code == 405


def test_inactive_user_cannot_log_in(client, users):
    from hub.extensions import db

    users["rep"].is_active_account = False
    db.session.commit()
    assert login(client, users["rep"].email).status_code == 401


def test_passwords_are_hashed_with_scrypt(app):
    from hub.auth.service import create_user

    user = create_user("hash@example.com", "Hash", PASSWORD, Role.REP)
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(PASSWORD)


def test_login_redirects_only_to_local_paths(client, users):
    response = client.post(
        "/login?next=https://evil.example/x", data={"email": users["rep"].email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/deals", data={"email": users["rep"].email, "password": PASSWORD})
    assert response.headers["Location"] == "/deals"


def test_admin_creates_user_and_sets_role(admin_client, client):
    response = admin_client.post(
        "/admin/users",
        data={
            "email": "new.rep@example.com",
            "name": "New Rep",
            "role": "marketer",
            "password": "longenough1",
        },
    )
    assert response.status_code == 302
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "new.rep@example.com" in page
    assert login(client, "new.rep@example.com", "longenough1").status_code == 302
    assert client.get("/").headers["Location"].endswith("/library")


def test_admin_create_user_rejects_duplicates_and_short_passwords(admin_client, users):
    dup = admin_client.post(
        "/admin/users",
        data={"email": users["rep"].email, "name": "X", "role": "rep", "password": "longenough1"},
    )
    assert "already exists" in dup.get_data(as_text=True)
    short = admin_client.post(
        "/admin/users", data={"email": "s@example.com", "name": "S", "role": "rep", "password": "short"}
    )
    assert "Field must be between 8 and 200 characters long." in short.get_data(as_text=True)


def test_admin_changes_role(admin_client, users):
    rep = users["rep"]
    response = admin_client.post(
        f"/admin/users/{rep.id}", data={"name": rep.name, "role": "marketer", "team": "EMEA", "active": "y"}
    )
    assert response.status_code == 302
    from hub.extensions import db

    db.session.refresh(rep)
    assert rep.role == Role.MARKETER
    assert rep.team == "EMEA"


def test_admin_cannot_demote_themselves(admin_client, users):
    admin = users["admin"]
    response = admin_client.post(
        f"/admin/users/{admin.id}", data={"name": admin.name, "role": "rep", "active": "y"}
    )
    assert "cannot remove your own admin role" in response.get_data(as_text=True)


def test_change_own_password(rep_client, client, users):
    bad = rep_client.post(
        "/profile",
        data={"current_password": "nope", "new_password": "newpassword1", "confirm": "newpassword1"},
    )
    assert "current password is not correct" in bad.get_data(as_text=True)
    ok = rep_client.post(
        "/profile",
        data={"current_password": PASSWORD, "new_password": "newpassword1", "confirm": "newpassword1"},
    )
    assert ok.status_code == 302
    assert login(client, users["rep"].email, "newpassword1").status_code == 302


def test_a_new_password_signs_out_the_other_sessions_but_not_this_one(app, rep_client, users):
    laptop = app.test_client()
    assert login(laptop, users["rep"].email).status_code == 302
    assert laptop.get("/search").status_code == 200
    remembered = app.test_client()
    login_remembered = remembered.post(
        "/login", data={"email": users["rep"].email, "password": PASSWORD, "remember": "y"}
    )
    assert login_remembered.status_code == 302
    changed = rep_client.post(
        "/profile",
        data={"current_password": PASSWORD, "new_password": "newpassword1", "confirm": "newpassword1"},
        follow_redirects=True,
    )
    assert "Other sessions with the old password are signed out." in changed.get_data(as_text=True)
    assert rep_client.get("/search").status_code == 200
    assert laptop.get("/search").headers["Location"].startswith("/login")
    # a remember-me cookie from before the change does not sign the old session back in either
    remembered.delete_cookie("session")
    assert remembered.get("/search").headers["Location"].startswith("/login")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_change"))
    assert entry is not None and entry.target_id == str(users["rep"].id)


def test_an_admin_reset_signs_the_user_out(app, admin_client, rep_client, users):
    assert rep_client.get("/search").status_code == 200
    response = admin_client.post(
        f"/admin/users/{users['rep'].id}",
        data={
            "name": users["rep"].name,
            "role": "rep",
            "team": "",
            "active": "y",
            "new_password": "reset-by-admin-1",
        },
    )
    assert response.status_code in (200, 302)
    assert rep_client.get("/search").headers["Location"].startswith("/login")
    fresh = app.test_client()
    assert login(fresh, users["rep"].email, "reset-by-admin-1").status_code == 302


def test_create_user_command(runner, app):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "boss@example.com",
            "--name",
            "Boss",
            "--role",
            "admin",
            "--password",
            "s3cret-pass",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.com" in result.output
    again = runner.invoke(
        args=["create-user", "--email", "boss@example.com", "--name", "Boss", "--password", "s3cret-pass"]
    )
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_csrf_is_enforced_on_forms(app_config, instance_path, monkeypatch, users):
    from hub import create_app

    app_config["WTF_CSRF_ENABLED"] = True
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(instance_path))
    app = create_app(app_config)
    client = app.test_client()
    response = client.post("/login", data={"email": users["rep"].email, "password": PASSWORD})
    assert response.status_code == 400
    assert "form session expired" in response.get_data(as_text=True)


def test_the_admin_area_address_opens_the_user_list(admin_client, rep_client):
    response = admin_client.get("/admin", follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/admin/users"
    assert rep_client.get("/admin/").status_code == 403


def test_a_role_change_or_deactivation_applies_to_open_sessions_at_once(admin_client, rep_client, users):
    rep = users["rep"]
    assert rep_client.get("/library").status_code == 403
    form = {"name": rep.name, "role": "marketer", "team": "", "active": "y"}
    assert admin_client.post(f"/admin/users/{rep.id}", data=form).status_code == 302
    assert rep_client.get("/library").status_code == 200
    del form["active"]
    assert admin_client.post(f"/admin/users/{rep.id}", data=form).status_code == 302
    response = rep_client.get("/library")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
