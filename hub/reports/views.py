from __future__ import annotations

from flask import Blueprint
from flask import render_template

from hub.access import role_required
from hub.models import Role

bp = Blueprint("reports", __name__)


@bp.route("/reports")
@role_required(Role.ADMIN, Role.MARKETER)
def index():
    return render_template("placeholder.html", title="Reports")
