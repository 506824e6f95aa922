"""The JSON API, v1: deals and outcomes, assets, usage events and report data."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Response
from flask import url_for

from hub.access import public
from hub.api import assets as _assets  # noqa: F401  (registers the asset and event endpoints)
from hub.api import deals as _deals  # noqa: F401  (registers the deal endpoints)
from hub.api import reports as _reports  # noqa: F401  (registers the report endpoints)
from hub.api.auth import api_auth
from hub.api.auth import api_user
from hub.api.blueprint import bp
from hub.api.inputs import ApiError
from hub.errors import error_response
from hub.extensions import csrf

__all__ = ["bp"]

OPENAPI_PATH = Path(__file__).with_name("openapi.json")

# tokens, not cookies, authenticate the API, so there is no cross-site form to protect against
csrf.exempt(bp)


@cache
def _openapi_text() -> str:
    return json.dumps(json.loads(OPENAPI_PATH.read_text()), indent=2)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error_response(exc.status, exc.message, **exc.extra)


@bp.route("/")
@public
def index():
    return {
        "version": "v1",
        "documentation": url_for("api.openapi", _external=True),
        "authentication": "Authorization: Bearer <token>; create tokens on your profile page.",
    }


@bp.route("/openapi.json")
@public
def openapi():
    return Response(_openapi_text(), mimetype="application/json")


@bp.route("/me")
@api_auth()
def me():
    user = api_user()
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role.value}
