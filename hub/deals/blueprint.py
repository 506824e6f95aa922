"""The deals blueprint, shared by the deal pages, the CSV import pages and the import command."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("deals", __name__, cli_group=None)
