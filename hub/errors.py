"""Error pages and JSON errors; nothing reaches the user as a bare 500."""

from __future__ import annotations

import math
import time

from flask import Flask
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError

from hub.extensions import db
from hub.extensions import limiter

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in to continue.",
    403: "You do not have access to this page.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    410: "This link is no longer available.",
    413: "That file is too large.",
    429: "Too many requests. Please wait a moment and try again.",
    500: "Something went wrong on our side. Nothing you entered was lost; please try again.",
}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, message: str | None = None, **extra):
    """One shape for every error: JSON for API clients, an HTML page for browsers."""
    message = message or MESSAGES.get(status, "Error")
    if wants_json():
        body = {"error": {"status": status, "message": message, **extra}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return error_response(
            400, "Your form session expired or was not valid. Go back, reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        message = exc.description if status not in MESSAGES or _custom(exc) else None
        if status == 413:
            limit = app.config.get("HUB_MAX_UPLOAD_MB")
            message = f"That upload is too large. The limit is {limit} MB per request."
        if status == 429:
            return _too_many(exc)
        return error_response(status, message)

    @app.errorhandler(Exception)
    def _unhandled(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)


def _too_many(exc: HTTPException):
    """429 with how long to wait, as a page for browsers and JSON for scripts."""
    wait = retry_after_seconds()
    # a limit with its own message says what it counts (Flask-Limiter's default text is the limit itself)
    limit = getattr(exc, "limit", None)
    what = getattr(limit, "error_message", None) or "Too many requests from your connection in a short time."
    message = f"{what} Please wait {_duration(wait)} and try again."
    if wants_json():
        response = make_response(error_response(429, message, retry_after=wait))
    else:
        again = request.url if request.method == "GET" else None
        page = render_template("errors/429.html", status=429, message=message, wait=wait, again=again)
        response = make_response(page, 429)
    response.headers["Retry-After"] = str(wait)
    return response


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def retry_after_seconds() -> int:
    """Seconds until the limit that was hit resets (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(math.ceil(current.reset_at - time.time())))


def _custom(exc: HTTPException) -> bool:
    """True when a view passed its own description to abort()."""
    default = type(exc).description
    return bool(exc.description) and exc.description != default and not isinstance(exc, InternalServerError)
