"""The landing route: each role starts where its work is."""

from __future__ import annotations

from flask import Blueprint
from flask import redirect
from flask import url_for
from flask_login import current_user

from hub.access import public
from hub.models import Role

bp = Blueprint("main", __name__)

HOME_BY_ROLE = {
    Role.REP: "search.index",
    Role.MARKETER: "library.index",
    Role.ADMIN: "admin.users",
}


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))
