from __future__ import annotations

from flask import Blueprint

from hub.access import public

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.route("/")
@public
def index():
    return {"version": "v1"}
