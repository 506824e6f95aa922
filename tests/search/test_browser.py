"""Live search in a real browser: results follow typing, and only the settled search is recorded."""

from __future__ import annotations

from sqlalchemy import select

from hub.extensions import db
from hub.models import EventKind
from hub.models import UsageEvent
from tests import factories
from tests.conftest import PASSWORD


def test_results_update_as_the_rep_types(live_server, page, users):
    factories.make_asset(
        users["marketer"], title="Security whitepaper", text="Encryption at rest", kind="txt"
    )
    factories.make_asset(users["marketer"], title="Pricing guide", text="Volume discounts", kind="txt")
    live_server.login(page, users["rep"].email, PASSWORD)
    page.goto(f"{live_server.url}/search")
    page.locator("#search-q").press_sequentially("encrypt", delay=40)
    page.locator("#search-count", has_text="1 result").wait_for()
    assert page.locator(".search-hit").count() == 1
    assert "Security whitepaper" in page.locator(".search-hit").inner_text()
    assert "q=encrypt" in page.url
    page.wait_for_timeout(1800)
    db.session.expire_all()
    searches = db.session.scalars(select(UsageEvent).where(UsageEvent.kind == EventKind.SEARCH)).all()
    assert [event.query for event in searches if event.query] == ["encrypt"]


def test_search_page_fits_a_phone(live_server, browser_context, users):
    factories.make_asset(
        users["marketer"], title="Security whitepaper", text="Encryption at rest", kind="txt"
    )
    phone = browser_context.browser.new_context(viewport={"width": 375, "height": 740})
    page = phone.new_page()
    live_server.login(page, users["rep"].email, PASSWORD)
    page.goto(f"{live_server.url}/search?q=encryption")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator(".search-hit").count() == 1
    phone.close()
