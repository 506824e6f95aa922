"""Attack surface: security headers on every response, cookie flags, proxy trust and rate limits."""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import current_app
from flask import request
from flask.json.provider import DefaultJSONProvider
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from hub.extensions import limiter

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def default_headers(secure: bool) -> dict[str, str]:
    """The headers every response carries unless its view already set them."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Permitted-Cross-Domain-Policies": "none",
    }
    if secure:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def token_key() -> str:
    """Rate-limit key for share links: the client address plus the link token it talks to."""
    token = (request.view_args or {}).get("token", "")
    return f"{get_remote_address()}|{token}"


class NestingSafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deep to parse is invalid JSON (a 400), not a 500.

    Python's parser recurses once per level, so a few kilobytes of "[[[[…" raise RecursionError, which
    request.get_json() does not expect.
    """

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc


def init_app(app: Flask) -> None:
    """Call after the blueprints are registered: the share-link limits wrap the viewer's views."""
    app.json = NestingSafeJSONProvider(app)
    secure = app.config["HUB_SECURE_COOKIES"]
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    if secure:
        app.config.setdefault("PREFERRED_URL_SCHEME", "https")

    app.wsgi_app = proxy_fix(app, app.wsgi_app)

    headers = default_headers(secure)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    limit_share_links(app)


def proxy_fix(app: Flask, wsgi_app):
    """`wsgi_app` behind the proxy fix that HUB_PROXY_FIX asks for; unchanged when it is 0."""
    proxies = app.config.get("HUB_PROXY_FIX", 0)
    if not proxies:
        return wsgi_app
    # trust exactly this many reverse proxies for the client address, scheme, host and prefix
    return ProxyFix(wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies)


def limit_share_links(app: Flask) -> None:
    """Share-link limits: a per-address ceiling over the whole viewer, and per-link budgets.

    The viewer blueprint gets the ceiling as a blueprint limit (it counts every page, image and
    download). The email form gets its own budget per address and link instead: its view is wrapped in
    place in app.view_functions (functools.wraps keeps the access declaration). Beacons are answered in
    front of Flask and counted there (hub.viewer.beacon_endpoint), against HUB_RATELIMIT_BEACON.
    """
    if app.blueprints.get("viewer") is None:
        return
    limiter.limit(share_limit, key_func=get_remote_address, scope="share")(app.blueprints["viewer"])
    for endpoint, limit in PER_LINK_LIMITS.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(
                limit, key_func=token_key, per_method=False, override_defaults=True
            )(view)


def share_limit() -> str:
    return current_app.config["HUB_RATELIMIT_SHARE"]


def share_form_limit() -> str:
    return current_app.config["HUB_RATELIMIT_SHARE_FORM"]


# endpoint -> its budget per client address and link
PER_LINK_LIMITS = {"viewer.email_gate": share_form_limit}
