from __future__ import annotations

from flask import Blueprint
from flask import render_template

from hub.access import role_required

bp = Blueprint("deals", __name__)


@bp.route("/deals")
@role_required()
def index():
    return render_template("placeholder.html", title="Deals")
