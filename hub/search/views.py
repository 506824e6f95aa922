from __future__ import annotations

from flask import Blueprint
from flask import render_template

from hub.access import role_required

bp = Blueprint("search", __name__)


@bp.route("/search")
@role_required()
def index():
    return render_template("placeholder.html", title="Search")
