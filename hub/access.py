"""Route access: every view declares who may reach it, and undeclared views are refused."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask
from flask import abort
from flask import current_app
from flask import request
from flask_login import current_user

from hub.extensions import login_manager
from hub.models import Role

PUBLIC = "public"
ALL_ROLES = frozenset(Role)
CONTENT_ROLES = frozenset({Role.ADMIN, Role.MARKETER})


def role_required(*roles: Role) -> Callable:
    """Allow signed-in users with one of `roles` (any role when none is given)."""
    allowed = frozenset(roles) or ALL_ROLES

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.hub_access = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as reachable without an account (login, share viewer, health)."""
    view.hub_access = PUBLIC  # type: ignore[attr-defined]
    return view


def access_of(view: Callable) -> object | None:
    return getattr(view, "hub_access", None)


def refuse_undeclared(app: Flask) -> None:
    """Fail closed: a view that forgot its decorator answers 403 instead of serving anyone."""

    @app.before_request
    def _check_declared() -> None:
        endpoint = request.endpoint
        if endpoint is None or endpoint == "static":
            return
        view = current_app.view_functions.get(endpoint)
        if view is not None and access_of(view) is None:
            current_app.logger.error("view %s declares no access rule; refusing", endpoint)
            abort(403)
