"""/health: database, storage and search index status for load balancers and monitoring."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify

from hub.access import public
from hub.extensions import limiter
from hub.health import service

bp = Blueprint("health", __name__)


@bp.route("/health")
@limiter.exempt
@public
def check():
    report = service.status()
    response = jsonify(report)
    response.status_code = 200 if report["status"] == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response
