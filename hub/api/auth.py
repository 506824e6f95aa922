"""Bearer-token access for API views: 401 JSON without a valid token, 403 JSON for the wrong role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g
from flask import request

from hub.access import ALL_ROLES
from hub.api import tokens
from hub.errors import error_response
from hub.models import Role
from hub.models import User


def api_user() -> User:
    return g.api_user


def _unauthorized(message: str):
    body, status = error_response(401, message)
    body.headers["WWW-Authenticate"] = 'Bearer realm="hub"'
    return body, status


def _a(role: Role) -> str:
    name = role.label.lower()
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def api_auth(*roles: Role) -> Callable:
    """Require `Authorization: Bearer <token>` of a user with one of `roles` (any role when none given)."""
    allowed = frozenset(roles) or ALL_ROLES

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            header = request.headers.get("Authorization", "")
            scheme, _, raw = header.partition(" ")
            if not header:
                return _unauthorized("Send your API token in the header Authorization: Bearer <token>.")
            if scheme.lower() != "bearer" or not raw.strip():
                return _unauthorized("Use the header Authorization: Bearer <token>.")
            user = tokens.authenticate(raw.strip())
            if user is None:
                return _unauthorized(
                    "This API token is not valid, was revoked, or belongs to a deactivated account."
                )
            if user.role not in allowed:
                needed = " or ".join(_a(r) for r in sorted(allowed))
                return error_response(
                    403, f"This endpoint needs the token of {needed}; yours is {_a(user.role)}'s."
                )
            g.api_user = user
            return view(*args, **kwargs)

        wrapped.hub_access = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator
