"""flask-login wiring: the signed-in user of every request."""

from __future__ import annotations

import hmac

from flask import Flask
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from hub.database import Prepared
from hub.database import session_cursor
from hub.extensions import db
from hub.extensions import login_manager
from hub.models import User

_users = User.__table__
_USER_ROW = Prepared(select(*_users.c).where(_users.c.id == bindparam("user_id")))


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(session_id: str) -> User | None:
        user_id, _, fingerprint = session_id.partition(":")
        try:
            user = signed_in_user(int(user_id))
        except (ValueError, OverflowError):
            return None
        # a session from before the password changed (User.get_id) is signed out
        if user is None or not hmac.compare_digest(fingerprint, user.session_fingerprint()):
            return None
        return user


def signed_in_user(user_id: int) -> User | None:
    """The user with this id, read fresh from the database and put in the session as loaded.

    Every signed-in page starts here, and the ORM's own get (identity map, execution context, row
    loading) cost a seventh of a search page: this is one prebuilt SELECT on the session's cursor, and
    the row becomes a User as if the ORM had loaded it (make_transient_to_detached).
    """
    session = db.session()
    present = session.identity_map.get(identity_key(User, user_id))
    if present is not None:
        return present
    # ids beyond the database's integer range match nothing; the driver would refuse them
    if not 0 < user_id < 2**63:
        return None
    with session_cursor(db.session) as cursor:
        rows = _USER_ROW.all(cursor, {"user_id": user_id})
    if not rows:
        return None
    user = User(**dict(zip(_users.c.keys(), rows[0], strict=True)))
    make_transient_to_detached(user)
    session.add(user)
    return user
