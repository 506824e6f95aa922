"""Every page loads in a real browser under the strict Content-Security-Policy without a violation."""

from __future__ import annotations

import re

import pytest

from hub.requests.service import file_request
from hub.shares.service import create_share
from tests import factories
from tests.conftest import PASSWORD

# the page records every CSP violation the browser reports, before any of Hub's own scripts run
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""
NOT_PAGES = re.compile(r"(download|\.png|\.csv|/click$|/slides/|^/health$|^/static/|^/api/|^/$|/logout)")


@pytest.fixture
def world(users):
    personas, stages = factories.make_taxonomy()
    deck = factories.make_asset(users["marketer"], title="Security deck", kind="pptx", personas=personas[:1])
    study = factories.make_asset(users["marketer"], title="Case study", stages=stages[:1])
    deal = factories.make_deal(owner=users["rep"], name="Initech")
    share = create_share(created_by=users["rep"], assets=[study, deck], deal=deal)
    single = create_share(created_by=users["rep"], assets=[study])
    request_item = file_request(requester=users["rep"], title="Need a battle card")
    return {
        "asset_id": study.id,
        "deal_id": deal.id,
        "share_id": share.id,
        "user_id": users["rep"].id,
        "request_id": request_item.id,
        "token": share.token,
        "single": single.token,
        "version_id": study.current_version_id,
    }


def _pages(app, values: dict) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or NOT_PAGES.search(rule.rule):
            continue
        if set(rule.arguments) - set(values):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[^:>]+:)?{arg}>", str(values[arg]), url)
        urls.append(url)
    return sorted(set(urls))


def _violations(page, url: str) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if "Security Policy" in m.text or "Permissions-Policy" in m.text else None
        ),
    )
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return errors + page.evaluate("window.__csp")


def test_signed_in_pages_have_no_csp_violations(live_server, browser_context, users, world):
    browser_context.add_init_script(LISTEN)
    page = browser_context.new_page()
    page.set_default_timeout(15_000)
    live_server.login(page, users["admin"].email, PASSWORD)
    pages = _pages(live_server.app, world) + [
        "/search?q=case",
        f"/shares/new?asset_id={world['asset_id']}",
    ]
    assert len(pages) >= 15
    found = {}
    for url in pages:
        if url.startswith("/s/"):
            continue
        problems = _violations(page, live_server.url + url)
        if problems:
            found[url] = problems
    assert found == {}


def test_share_viewer_has_no_csp_violations(live_server, browser_context, world):
    browser_context.add_init_script(LISTEN)
    page = browser_context.new_page()
    found = {}
    for url in (
        f"/s/{world['token']}",
        f"/s/{world['token']}/a/{world['asset_id']}",
        f"/s/{world['single']}",
        "/login",
    ):
        problems = _violations(page, live_server.url + url)
        if problems:
            found[url] = problems
    assert found == {}


def test_error_pages_have_no_csp_violations(live_server, browser_context):
    browser_context.add_init_script(LISTEN)
    page = browser_context.new_page()
    assert _violations(page, live_server.url + "/no-such-page") == []
