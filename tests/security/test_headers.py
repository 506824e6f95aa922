"""Security headers on every response, cookie flags, and proxy trust."""

from __future__ import annotations

import pytest

from hub import create_app
from tests.conftest import IsolatedClient
from tests.conftest import login

CSP_PARTS = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def assert_hardened(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    for part in CSP_PARTS:
        assert part in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer")
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize(
    "path", ["/login", "/health", "/static/css/hub.css", "/no-such-page", "/s/not-a-token"]
)
def test_anonymous_responses_carry_the_headers(client, path):
    response = client.get(path)
    assert_hardened(response)
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("path", ["/search", "/library", "/shares", "/deals", "/admin/users", "/admin/audit"])
def test_signed_in_pages_carry_the_headers(admin_client, path):
    response = admin_client.get(path)
    assert_hardened(response)
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_error_and_redirect_responses_carry_the_headers(client, rep_client):
    assert_hardened(client.get("/admin/users"))  # redirect to login
    assert_hardened(rep_client.get("/admin/users"))  # 403
    assert_hardened(client.post("/login", data={}))


def test_share_viewer_keeps_its_own_referrer_policy(client):
    response = client.get("/s/unknown-token")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert_hardened(response)


def test_session_cookie_is_httponly_and_lax(client, users):
    response = login(client, users["rep"].email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def _secure_app(app_config, **extra):
    app = create_app({**app_config, "HUB_SECURE_COOKIES": True, **extra})
    app.test_client_class = IsolatedClient
    return app


def test_behind_https_cookies_are_secure_and_hsts_is_sent(app_config, users):
    app = _secure_app(app_config)
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": users["rep"].email, "password": "correct-horse-battery", "remember": "y"},
        base_url="https://hub.example.com",
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "Secure" in remember and "HttpOnly" in remember
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts


def _echo_app(app_config, **extra):
    """An app with one extra public route that reports what Hub believes about the caller."""
    from flask import jsonify
    from flask import request
    from flask import url_for

    app = create_app({**app_config, **extra})

    def whoami():
        return jsonify(
            ip=request.remote_addr, scheme=request.scheme, url=url_for("auth.login", _external=True)
        )

    whoami.hub_access = "public"
    app.add_url_rule("/__whoami", "whoami", whoami)
    return app


FORWARDED = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "hub.example.com",
}


def test_proxy_fix_trusts_the_configured_proxy(app_config):
    app = _echo_app(app_config, HUB_PROXY_FIX=1)
    seen = (
        app.test_client().get("/__whoami", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"}).json
    )
    assert seen == {"ip": "203.0.113.9", "scheme": "https", "url": "https://hub.example.com/login"}


def test_without_proxy_fix_forwarded_headers_are_ignored(app_config):
    app = _echo_app(app_config)
    seen = (
        app.test_client().get("/__whoami", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"}).json
    )
    assert seen["ip"] == "10.0.0.2" and seen["scheme"] == "http"
