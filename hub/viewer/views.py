from __future__ import annotations

from flask import Blueprint
from flask import abort

from hub.access import public

bp = Blueprint("viewer", __name__)


@bp.route("/s/<token>")
@public
def view(token: str):
    abort(404)
