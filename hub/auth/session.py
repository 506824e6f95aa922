"""flask-login wiring."""

from __future__ import annotations

import hmac

from flask import Flask

from hub.extensions import db
from hub.extensions import login_manager
from hub.models import User


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
            user = db.session.get(User, int(user_id))
        except (ValueError, OverflowError):
            return None
        # a session from before the password changed (User.get_id) is signed out
        if user is None or not hmac.compare_digest(fingerprint, user.session_fingerprint()):
            return None
        return user
