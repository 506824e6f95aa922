"""A prospect reads a shared PDF in a real browser; the page timing arrives through beacons."""

from __future__ import annotations

import time

from sqlalchemy import select

from hub.extensions import db
from hub.models import PageView
from hub.models import ShareVisit
from tests.conftest import PASSWORD
from tests.factories import make_pdf_asset
from tests.factories import make_share


def _page_views(expected_pages: set[int], timeout: float = 10.0) -> dict[int, float]:
    deadline = time.monotonic() + timeout
    views: dict[int, float] = {}
    while time.monotonic() < deadline:
        db.session.expire_all()
        views = {v.page: v.seconds for v in db.session.scalars(select(PageView))}
        if set(views) >= expected_pages and all(views[p] > 0 for p in expected_pages):
            return views
        time.sleep(0.2)
    return views


def _wait_true(page, script: str, timeout: float = 15.0) -> None:
    """Poll a page expression from here (the page's CSP forbids the in-page polling wait_for_function uses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        time.sleep(0.05)


IMAGE_SHOWN = (
    "() => {{ const img = document.querySelector('#page-{n} img'); return !!img && img.naturalWidth > 0; }}"
)


def test_pages_turned_and_tab_closed_are_recorded(live_server, browser_context, users):
    asset = make_pdf_asset(users["marketer"], title="Pricing deck", pages=4)
    share = make_share(users["rep"], asset, recipient_company="Acme Corp")
    page = browser_context.new_page()
    page.set_default_timeout(15_000)
    before_open = time.monotonic()
    page.goto(f"{live_server.url}/s/{share.token}")
    opened = time.monotonic()
    _wait_true(page, IMAGE_SHOWN.format(n=1))
    assert page.locator("#viewer-current").inner_text() == "1"
    assert page.locator("#page-2").is_hidden()
    page.wait_for_timeout(2500)

    turned = time.monotonic()
    page.click("#viewer-next")
    assert page.locator("#page-2").is_visible() and page.locator("#page-1").is_hidden()
    _wait_true(page, IMAGE_SHOWN.format(n=2))
    page.wait_for_timeout(4000)

    turned_again = time.monotonic()
    page.keyboard.press("ArrowRight")
    assert page.locator("#viewer-current").inner_text() == "3"
    page.wait_for_timeout(1500)
    closed = time.monotonic()
    page.close(run_before_unload=True)

    views = _page_views({1, 2, 3})
    assert set(views) == {1, 2, 3}
    # each page's time matches how long the test kept it on screen (give or take a tick)
    assert turned - opened - 1.2 <= views[1] <= turned - before_open + 1.2
    assert turned_again - turned - 1.2 <= views[2] <= turned_again - turned + 1.2
    assert closed - turned_again - 1.2 <= views[3] <= closed - turned_again + 1.2
    assert views[2] >= 3.0 and views[3] >= 0.5
    visit = db.session.scalars(select(ShareVisit)).one()
    assert abs(visit.total_seconds - sum(views.values())) < 0.2

    # the rep's Shares page shows the reading time and draws the per-page chart
    rep_page = browser_context.new_page()
    live_server.login(rep_page, users["rep"].email, PASSWORD)
    rep_page.goto(f"{live_server.url}/shares/{share.id}")
    assert rep_page.locator(".stat-card .value").nth(1).inner_text() == "1"
    drawn = rep_page.evaluate("() => !!window.Chart.getChart(document.querySelector('canvas[data-chart]'))")
    assert drawn


def test_returning_visitor_adds_to_the_stored_time(live_server, browser_context, users):
    asset = make_pdf_asset(users["marketer"], pages=2)
    share = make_share(users["rep"], asset)
    first = browser_context.new_page()
    first.goto(f"{live_server.url}/s/{share.token}")
    first.wait_for_timeout(2000)
    first.close(run_before_unload=True)
    before = _page_views({1})[1]

    second = browser_context.new_page()
    second.goto(f"{live_server.url}/s/{share.token}")
    second.wait_for_timeout(2000)
    second.close(run_before_unload=True)
    deadline = time.monotonic() + 10
    after = before
    while time.monotonic() < deadline and after < before + 1.5:
        after = _page_views({1})[1]
        time.sleep(0.2)
    assert after >= before + 1.5
    db.session.expire_all()
    assert len(db.session.scalars(select(ShareVisit)).all()) == 1


def test_viewer_fits_a_phone(live_server, chromium, users):
    asset = make_pdf_asset(users["marketer"], title="Pricing deck", pages=3)
    share = make_share(users["rep"], asset, note="Pricing for the 3-year plan.")
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/s/{share.token}")
        _wait_true(page, IMAGE_SHOWN.format(n=1))
        fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert fits
        box = page.locator("#page-1 img").bounding_box()
        assert box["width"] <= 390 and box["width"] > 300
        next_button = page.locator("#viewer-next")
        assert next_button.is_visible()
        button = next_button.bounding_box()
        assert button["height"] >= 40 and button["y"] + button["height"] <= 844
        next_button.tap()
        assert page.locator("#viewer-current").inner_text() == "2"
        assert page.locator("text=Pricing for the 3-year plan.").is_visible()
    finally:
        context.close()


def test_email_gate_in_the_browser(live_server, page, users):
    asset = make_pdf_asset(users["marketer"], pages=1)
    share = make_share(users["rep"], asset, require_email=True)
    page.goto(f"{live_server.url}/s/{share.token}")
    assert page.locator("img.viewer-page-img").count() == 0
    page.fill("input[name=email]", "jane@acme.example")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/s/{share.token}")
    _wait_true(page, IMAGE_SHOWN.format(n=1))
    db.session.expire_all()
    assert db.session.scalars(select(ShareVisit)).one().viewer_email == "jane@acme.example"
