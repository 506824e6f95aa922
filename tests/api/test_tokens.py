from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.models import ApiToken
from hub.models import AuditEntry
from hub.models import hash_token
from tests import factories
from tests.api.conftest import bearer


def test_profile_creates_a_token_shown_once(rep_client, users):
    response = rep_client.post("/profile/tokens", data={"name": "Outlook add-in"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    raw = re.search(r'value="(hub_[^"]+)"', html).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == hash_token(raw) and raw not in (token.prefix + token.name)
    assert token.prefix == raw[:12]
    assert rep_client.get("/api/v1/me", headers=bearer(raw)).get_json()["email"] == users["rep"].email
    profile = rep_client.get("/profile").get_data(as_text=True)
    assert raw not in profile and token.prefix in profile and "Outlook add-in" in profile
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.create")) is not None


def test_token_name_is_required(rep_client):
    response = rep_client.post("/profile/tokens", data={"name": " "})
    assert response.status_code == 400 and "Name the token" in response.get_data(as_text=True)


def test_revoked_token_stops_working(rep_client, users):
    raw = factories.make_api_token(users["rep"])
    assert rep_client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    token = db.session.scalar(select(ApiToken))
    response = rep_client.post(f"/profile/tokens/{token.id}/revoke")
    assert response.status_code == 302
    answer = rep_client.get("/api/v1/me", headers=bearer(raw))
    assert answer.status_code == 401 and "revoked" in answer.get_json()["error"]["message"]
    assert "revoked" in rep_client.get("/profile").get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.revoke")) is not None


def test_cannot_revoke_someone_elses_token(rep_client, users):
    factories.make_api_token(users["marketer"])
    token = db.session.scalar(select(ApiToken))
    assert rep_client.post(f"/profile/tokens/{token.id}/revoke").status_code == 404
    db.session.expire_all()
    assert token.is_active


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Authorization: Bearer"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Authorization: Bearer"),
        ({"Authorization": "Bearer hub_not-a-real-token"}, "not valid"),
        ({"Authorization": "Bearer "}, "Authorization: Bearer"),
    ],
)
def test_missing_or_wrong_tokens_get_401_json(client, users, headers, message):
    response = client.get("/api/v1/deals", headers=headers)
    assert response.status_code == 401
    body = response.get_json()
    assert body["error"]["status"] == 401 and message in body["error"]["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_browser_cookie_is_not_enough(rep_client):
    assert rep_client.get("/api/v1/deals").status_code == 401


def test_deactivated_users_tokens_stop_working(client, users, tokens):
    users["rep"].is_active_account = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(tokens["rep"])).status_code == 401


def test_wrong_role_gets_403_json(client, tokens):
    response = client.put(
        "/api/v1/deals/X-1", json={"name": "Rep cannot upsert"}, headers=bearer(tokens["rep"])
    )
    assert response.status_code == 403
    assert "marketer" in response.get_json()["error"]["message"]


def test_public_index_and_openapi(client):
    assert client.get("/api/v1/").get_json()["version"] == "v1"
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.get_json()["openapi"].startswith("3.")
