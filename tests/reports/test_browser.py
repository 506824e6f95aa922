"""The overview charts draw in a real browser, from the local Chart.js, with no script errors."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from hub.models import DealStatus
from hub.models import EventKind
from hub.models import utcnow
from tests.conftest import PASSWORD
from tests.factories import link_deal_asset
from tests.factories import make_bare_asset
from tests.factories import make_deal
from tests.factories import make_event


def test_overview_charts_render(live_server, page, users):
    asset = make_bare_asset("Battle card")
    today = utcnow().date()
    for i in range(3):
        make_event(
            EventKind.VIEW,
            asset_id=asset.id,
            at=datetime.combine(today, datetime.min.time()) - timedelta(days=i),
        )
    deal = make_deal(status=DealStatus.WON, closed_on=today)
    link_deal_asset(deal, asset, used_at=datetime.combine(today - timedelta(days=3), datetime.min.time()))

    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    external = []
    page.on(
        "request", lambda req: external.append(req.url) if not req.url.startswith(live_server.url) else None
    )
    live_server.login(page, users["marketer"].email, PASSWORD)
    page.goto(f"{live_server.url}/reports")

    for chart in ("chart-usage", "chart-funnel", "chart-stages"):
        assert page.evaluate(f"Chart.getChart(document.getElementById('{chart}')) !== undefined"), chart
    assert page.locator("#score-deals").inner_text() == "1"
    assert errors == []
    assert external == []


def test_reports_fit_a_phone(live_server, browser_context, users):
    phone = browser_context.browser.new_context(viewport={"width": 375, "height": 740})
    page = phone.new_page()
    live_server.login(page, users["marketer"].email, PASSWORD)
    for path in ("/reports", "/reports/performance", "/reports/coverage"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    phone.close()
