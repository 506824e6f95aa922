"""With CSRF on (as in production), every state-changing route refuses a request without a token."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from sqlalchemy import select

from hub import create_app
from hub.extensions import db
from hub.models import ApiToken
from hub.models import Base
from hub.models import hash_token
from hub.requests.service import file_request
from hub.shares.service import create_share
from tests import factories
from tests.conftest import PASSWORD
from tests.conftest import IsolatedClient

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# bearer-token API calls carry no cookie, and beacons come from navigator.sendBeacon (validated on their own)
EXEMPT_PREFIXES = ("api.",)
EXEMPT_ENDPOINTS = {"viewer.beacon"}
FORM = {
    "title": "Changed title",
    "name": "Changed name",
    "email": "someone@example.com",
    "password": "long-enough-password",
    "new_password": "another-long-password",
    "current_password": PASSWORD,
    "role": "rep",
    "description": "Changed",
    "comment": "Nice",
    "rating": "5",
    "url": "https://example.com/video",
    "status": "won",
    "details": "Needed",
    "response": "Done",
    "note": "A note",
    "expires_on": "2030-01-01",
    "closed_on": "2026-01-02",
    "position": "1",
    "direction": "up",
    "active": "y",
}
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@pytest.fixture
def csrf_app(app_config):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    app.test_client_class = IsolatedClient
    return app


def _token_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1) or match.group(2)


def _signed_in(app, email):
    client = app.test_client()
    token = _token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def _fingerprint() -> str:
    """A digest of every row in every table: equal before and after means nothing changed."""
    db.session.expire_all()
    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(json.dumps([str(v) for v in row]).encode())
    return digest.hexdigest()


@pytest.fixture
def world(users):
    personas, stages = factories.make_taxonomy()
    asset = factories.make_asset(users["marketer"], title="Pricing deck", personas=[personas[0]])
    deal = factories.make_deal(owner=users["rep"])
    share = create_share(created_by=users["rep"], assets=[asset], deal=deal)
    request_item = file_request(requester=users["rep"], title="Need a CFO one-pager")
    api_token = ApiToken(user=users["rep"], name="ci", token_hash=hash_token("raw-token"), prefix="raw")
    db.session.add(api_token)
    db.session.commit()
    return {
        "asset_id": asset.id,
        "deal_id": deal.id,
        "share_id": share.id,
        "token": share.token,
        "user_id": users["rep"].id,
        "request_id": request_item.id,
        "token_id": api_token.id,
        "term_id": personas[1].id,
        "kind": "personas",
        "import_id": "0" * 32,
        "crm_id": deal.crm_id,
    }


def _url(rule, values: dict) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[^:>]+:)?{arg}>", str(values.get(arg, 1)), url)
    return url


def _state_changing_routes(app):
    rows = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(EXEMPT_PREFIXES) or rule.endpoint in EXEMPT_ENDPOINTS:
            continue
        for method in sorted(rule.methods & STATE_CHANGING):
            rows.append((rule, method))
    return rows


def test_every_state_changing_route_refuses_a_missing_token(csrf_app, users, world):
    routes = _state_changing_routes(csrf_app)
    assert len(routes) >= 20
    client = _signed_in(csrf_app, users["admin"].email)
    before = _fingerprint()
    accepted = []
    for rule, method in routes:
        url = _url(rule, world)
        response = client.open(url, method=method, data=FORM)
        if response.status_code != 400:
            accepted.append(f"{method} {url} -> {response.status_code}")
        json_response = client.open(url, method=method, json=FORM, headers={"Accept": "application/json"})
        if json_response.status_code != 400:
            accepted.append(f"{method} {url} (JSON) -> {json_response.status_code}")
    assert accepted == []
    assert _fingerprint() == before


def test_a_wrong_token_is_refused_too(csrf_app, users, world):
    client = _signed_in(csrf_app, users["admin"].email)
    before = _fingerprint()
    response = client.post(f"/assets/{world['asset_id']}/archive", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert "form session expired" in response.get_data(as_text=True)
    assert _fingerprint() == before


def test_a_token_from_the_page_is_accepted(csrf_app, users, world):
    """Control: the refusals above are about the token, not about the data sent."""
    client = _signed_in(csrf_app, users["admin"].email)
    page = client.get(f"/assets/{world['asset_id']}").get_data(as_text=True)
    token = _token_from(page)
    response = client.post(f"/shares/{world['share_id']}/revoke", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    from hub.models import ShareLink

    assert db.session.get(ShareLink, world["share_id"]).revoked_at is not None


def test_login_without_a_token_is_refused(csrf_app, users):
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": users["rep"].email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/search").status_code == 302  # still signed out
