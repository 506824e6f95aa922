"""Sign-in and share links are rate limited, with a clear 429 page (or JSON for scripts)."""

from __future__ import annotations

import json

from hub.extensions import db
from hub.models import PageView
from tests.conftest import PASSWORD
from tests.security.helpers import limited_app
from tests.security.helpers import make_share


def _login(client, email, password="wrong-password", **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def test_login_allows_twenty_attempts_a_minute_then_explains(app_config, users):
    client = limited_app(app_config).test_client()
    # each guess at another account, so only the limit per address applies
    statuses = [_login(client, f"guess{n}@example.com").status_code for n in range(20)]
    assert set(statuses) == {401}
    response = _login(client, users["rep"].email, PASSWORD)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many requests" in page and "Please wait" in page
    assert 1 <= int(response.headers["Retry-After"]) <= 61  # the rest of the one-minute window
    assert response.headers["Content-Security-Policy"]


def test_login_limit_answers_json_to_scripts(app_config, users):
    client = limited_app(app_config).test_client()
    for n in range(20):
        _login(client, f"guess{n}@example.com")
    response = _login(client, users["rep"].email, headers={"Accept": "application/json"})
    assert response.status_code == 429
    body = response.get_json()
    assert body["error"]["status"] == 429
    assert "wait" in body["error"]["message"]
    assert body["error"]["retry_after"] >= 1


def test_login_page_itself_is_not_limited(app_config):
    client = limited_app(app_config).test_client()
    assert all(client.get("/login").status_code == 200 for _ in range(30))


def test_limits_count_per_client_address(app_config, users):
    client = limited_app(app_config).test_client()
    for n in range(21):
        _login(client, f"guess{n}@example.com", environ_base={"REMOTE_ADDR": "198.51.100.1"})
    other = _login(client, users["rep"].email, PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.2"})
    assert other.status_code == 302


def _from(n: int) -> dict:
    return {"environ_base": {"REMOTE_ADDR": f"198.51.100.{n}"}}


def test_failed_sign_ins_are_limited_per_account_from_any_address(app_config, users):
    app = limited_app(app_config, HUB_RATELIMIT_LOGIN_ACCOUNT="3/15 minutes")
    client = app.test_client()
    # one guess from each of many addresses stays under every per-address limit
    assert [_login(client, users["rep"].email, **_from(n)).status_code for n in range(3)] == [401] * 3
    # spelled another way, it is the same account; the right password does not get past the limit
    response = _login(client, " REP@Example.COM ", PASSWORD, **_from(9))
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many failed sign-ins for this account." in page
    wait = int(response.headers["Retry-After"])
    assert 14 * 60 < wait <= 15 * 60 + 1
    assert f"Please wait {wait // 60 + (wait % 60 > 0)} minutes" in page
    # other accounts sign in as usual
    assert _login(client, users["marketer"].email, PASSWORD, **_from(10)).status_code == 302


def test_successful_sign_ins_do_not_use_the_account_budget(app_config, users):
    app = limited_app(app_config, HUB_RATELIMIT_LOGIN_ACCOUNT="2/15 minutes")
    for n in range(4):
        client = app.test_client()
        assert _login(client, users["rep"].email, PASSWORD, **_from(n)).status_code == 302
    assert _login(app.test_client(), users["rep"].email, **_from(5)).status_code == 401


def test_account_limit_answers_json_to_scripts(app_config, users):
    client = limited_app(app_config, HUB_RATELIMIT_LOGIN_ACCOUNT="1/15 minutes").test_client()
    assert _login(client, "nobody@example.com", **_from(1)).status_code == 401
    response = _login(client, "nobody@example.com", headers={"Accept": "application/json"}, **_from(2))
    assert response.status_code == 429
    assert response.get_json()["error"]["message"].startswith("Too many failed sign-ins for this account.")


def test_guessing_share_tokens_hits_the_viewer_ceiling(app_config):
    client = limited_app(app_config, HUB_RATELIMIT_SHARE="5/minute").test_client()
    for n in range(5):
        assert client.get(f"/s/guess-{n:020d}").status_code == 404
    response = client.get("/s/guess-00000000000000000099")
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"


def _beacon(client, token, asset_id, page):
    body = json.dumps({"asset": asset_id, "pages": {str(page): 1}})
    return client.post(f"/s/{token}/beacon", data=body, content_type="text/plain")


def test_beacons_have_a_budget_per_link_and_address(app_config, users):
    app = limited_app(app_config, HUB_RATELIMIT_BEACON="4/minute", HUB_RATELIMIT_SHARE="100/minute")
    share, asset = make_share(users["rep"], pages=10)
    other, other_asset = make_share(users["rep"], pages=10, title="Other deck")
    client = app.test_client()
    assert client.get(f"/s/{share.token}").status_code == 200
    assert client.get(f"/s/{other.token}").status_code == 200
    statuses = [_beacon(client, share.token, asset.id, page).status_code for page in range(1, 5)]
    assert statuses == [204, 204, 204, 204]
    refused = _beacon(client, share.token, asset.id, 5)
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 61
    assert refused.get_json()["error"] == {
        "status": 429,
        "message": f"Too many beacons; wait {wait} seconds.",
        "retry_after": wait,
    }
    assert refused.headers["Content-Security-Policy"] and refused.headers["Referrer-Policy"] == "no-referrer"
    # another link from the same browser has its own budget, and opening pages is unaffected
    assert _beacon(client, other.token, other_asset.id, 1).status_code == 204
    assert client.get(f"/s/{share.token}").status_code == 200
    db.session.expire_all()
    assert db.session.query(PageView).filter_by(asset_id=asset.id).count() == 4


def test_behind_a_proxy_the_beacon_budget_is_per_forwarded_address(app_config, users):
    app = limited_app(
        app_config, HUB_RATELIMIT_BEACON="2/minute", HUB_RATELIMIT_SHARE="100/minute", HUB_PROXY_FIX=1
    )
    share, asset = make_share(users["rep"], pages=10)
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert client.get(f"/s/{share.token}", environ_base=proxy).status_code == 200

    def beacon(page, address):
        body = json.dumps({"asset": asset.id, "pages": {str(page): 1}})
        return client.post(
            f"/s/{share.token}/beacon",
            data=body,
            content_type="text/plain",
            headers={"X-Forwarded-For": address},
            environ_base=proxy,
        ).status_code

    assert [beacon(1, "203.0.113.9"), beacon(2, "203.0.113.9"), beacon(3, "203.0.113.9")] == [204, 204, 429]
    # a colleague behind the same proxy has a budget of their own
    assert beacon(3, "203.0.113.10") == 204


def test_made_up_beacon_links_are_refused_without_being_counted(app_config):
    client = limited_app(app_config, HUB_RATELIMIT_BEACON="2/minute").test_client()
    body = b'{"asset": 1, "pages": {"1": 1}}'
    for token in ["short"] * 4 + ["x" * 300, "has spaces in it at all"]:
        response = client.post(f"/s/{token}/beacon", data=body, content_type="text/plain")
        assert response.status_code == 404
        assert response.get_json()["error"]["message"] == "unknown link"


def test_beacons_do_not_use_up_the_viewer_ceiling(app_config, users):
    app = limited_app(app_config, HUB_RATELIMIT_BEACON="100/minute", HUB_RATELIMIT_SHARE="3/minute")
    share, asset = make_share(users["rep"], pages=10)
    client = app.test_client()
    assert client.get(f"/s/{share.token}").status_code == 200
    assert all(_beacon(client, share.token, asset.id, page).status_code == 204 for page in range(1, 10))
    assert client.get(f"/s/{share.token}").status_code == 200


def test_email_gate_is_limited_per_link(app_config, users):
    app = limited_app(app_config, HUB_RATELIMIT_SHARE_FORM="2/minute", HUB_RATELIMIT_SHARE="100/minute")
    share, _asset = make_share(users["rep"], require_email=True)
    client = app.test_client()
    client.get(f"/s/{share.token}")
    statuses = [
        client.post(f"/s/{share.token}/email", data={"email": "not-an-email"}).status_code for _ in range(3)
    ]
    assert statuses[:2] == [400, 400]
    assert statuses[2] == 429


def test_health_is_never_limited(app_config):
    client = limited_app(app_config, HUB_RATELIMIT_SHARE="1/minute").test_client()
    assert all(client.get("/health").status_code == 200 for _ in range(30))


def test_a_failing_counter_store_lets_requests_through(app_config, users, monkeypatch):
    from hub.extensions import limiter

    app = limited_app(app_config)
    client = app.test_client()
    assert _login(client, users["rep"].email).status_code == 401

    def broken(*args, **kwargs):
        # what limits' memory store raises when two threads start its expiry timer at once
        raise RuntimeError("threads can only be started once")

    monkeypatch.setattr(limiter.storage, "incr", broken)
    assert _login(client, users["rep"].email).status_code == 401
    assert _login(client, users["rep"].email, PASSWORD).status_code == 302
