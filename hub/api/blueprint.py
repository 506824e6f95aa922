"""The API blueprint; it authenticates by bearer token only, so it is exempt from the form CSRF check."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
