"""Shared builders for the security tests: an app with rate limits on, and a live share link."""

from __future__ import annotations

from hub import create_app
from hub import samples
from hub.library.service import create_file_asset
from hub.shares.service import create_share
from tests.conftest import IsolatedClient


def limited_app(app_config, **limits):
    app = create_app(
        {**app_config, "RATELIMIT_ENABLED": True, "HUB_RATELIMIT_STORAGE_URI": "memory://", **limits}
    )
    app.test_client_class = IsolatedClient
    return app


def make_pdf_asset(owner, *, pages: int = 3, title: str = "Shared deck"):
    """A PDF asset with `pages` pages, uploaded through the real service."""
    data = samples.make_pdf(title, [f"Page {n} of {title}." for n in range(1, pages + 1)])
    return create_file_asset(data=data, filename="deck.pdf", title=title, owner=owner, uploaded_by=owner)


def make_share(owner, *, pages: int = 3, require_email: bool = False, **fields):
    """A live share of one PDF, created through the real service."""
    asset = make_pdf_asset(owner, pages=pages, title=fields.pop("title", "Shared deck"))
    return create_share(created_by=owner, assets=[asset], require_email=require_email, **fields), asset
