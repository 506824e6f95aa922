"""Hub: the sales-enablement content hub."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from flask import Flask

from hub import config as hub_config

ROOT = Path(__file__).resolve().parent.parent

# one blueprint per area of the site; each module exposes `bp`
BLUEPRINTS = (
    "hub.main.views",
    "hub.auth.views",
    "hub.admin.views",
    "hub.library.views",
    "hub.taxonomy.views",
    "hub.search.views",
    "hub.shares.views",
    "hub.viewer.views",
    "hub.deals.views",
    "hub.reports.views",
    "hub.requests.views",
    "hub.api.views",
    "hub.health.views",
    "hub.maintenance.views",
)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("HUB_INSTANCE_PATH") or None,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(hub_config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["HUB_MAX_UPLOAD_MB"] * 1024 * 1024
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config["SESSION_COOKIE_SECURE"] = app.config["HUB_SECURE_COOKIES"]
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["HUB_SECURE_COOKIES"]
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["WTF_CSRF_TIME_LIMIT"] = None

    from hub import database
    from hub import errors
    from hub import rate_limit_store
    from hub import routing
    from hub import security
    from hub import storage
    from hub import templating
    from hub.access import refuse_undeclared
    from hub.auth.session import init_login
    from hub.cli import register_commands
    from hub.extensions import csrf
    from hub.extensions import db
    from hub.extensions import limiter
    from hub.extensions import migrate
    from hub.viewer import beacon_endpoint

    database.configure_engine(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", app.config["HUB_RATELIMIT_ENABLED"])
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", rate_limit_store.storage_uri(app.config["HUB_RATELIMIT_STORAGE_URI"])
    )
    # a failing counter store (Redis down, say) is logged
    # and the request goes on: a missed count is better than a refused prospect or a lost beacon
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
    init_login(app)
    storage.init_app(app)

    routing.init_app(app)
    for module_name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module_name).bp)

    # the beacon endpoint sits inside the proxy fix that security.init_app wraps around the app, so it
    # sees the client's own address
    beacon_endpoint.init_app(app)
    security.init_app(app)
    refuse_undeclared(app)
    errors.register_error_handlers(app)
    templating.init_app(app)
    register_commands(app)
    return app
