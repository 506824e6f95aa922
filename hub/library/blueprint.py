from __future__ import annotations

from flask import Blueprint

bp = Blueprint("library", __name__, cli_group=None)
