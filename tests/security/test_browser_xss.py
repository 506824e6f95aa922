"""Script payloads planted in every text field users can fill never run, in a real browser."""

from __future__ import annotations

import csv
import io
import re

import pytest

from hub.api.tokens import create_token
from hub.deals import importer
from hub.deals.crm_import import Options
from hub.library.service import UploadRejected
from hub.library.service import create_file_asset
from hub.library.service import create_link_asset
from hub.models import Persona
from hub.models import RequestStatus
from hub.models import Role
from hub.models import Stage
from hub.requests.service import answer_request
from hub.requests.service import file_request
from hub.requests.service import record_feedback
from hub.shares.service import create_share
from hub.taxonomy.service import add_term
from tests import factories
from tests.conftest import PASSWORD

# every payload carries data-xss, so an element that was injected shows up even where CSP stops it running
SCRIPT = "<script data-xss>window.__xss=1</script>"
ATTR = '"><img src=x data-xss onerror="window.__xss=1">'
BREAKOUT = "</script><script data-xss>window.__xss=1</script>'\"`${window.__xss=1}"
SVG = "<svg data-xss onload=window.__xss=1>"
JS_URL = "javascript:window.__xss=1"


def payload(label: str) -> str:
    return f"{label} {SCRIPT}{ATTR}"


def long_payload(label: str) -> str:
    return f"{label} {SCRIPT}{ATTR}{BREAKOUT}{SVG} {JS_URL}"


PROBE = """() => ({
  ran: window.__xss !== undefined,
  injected: document.querySelectorAll('[data-xss]').length,
  jsLinks: Array.from(document.querySelectorAll('[href],[src],[action],[formaction]')).filter(
    (el) => /^\\s*javascript:/i.test(el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action') || el.getAttribute('formaction') || '')
  ).length,
})"""
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""
NOT_PAGES = re.compile(r"(download|\.png|\.csv|/click$|/slides/|^/health$|^/static/|^/api/|^/$)")


@pytest.fixture
def planted(app, users):
    marketer, rep, admin = users["marketer"], users["rep"], users["admin"]
    rep.name = payload("Rep name")[:120]
    rep.team = payload("Team")[:80]
    from hub.extensions import db

    db.session.commit()
    persona = add_term(
        Persona, payload("Persona")[:80], acting=marketer, description=long_payload("Persona text")
    )
    stage = add_term(Stage, payload("Stage")[:80], acting=marketer, description=long_payload("Stage text"))
    data, filename = factories.sample_file("pdf", title="Deck", text=long_payload("Body text"))
    asset = create_file_asset(
        data=data,
        filename=f"{SCRIPT}{ATTR}.pdf",
        title=payload("Title")[:200],
        description=long_payload("Description"),
        owner=marketer,
        uploaded_by=marketer,
        persona_ids=[persona.id],
        stage_ids=[stage.id],
        tags=["<b data-xss>tag</b>", 'x"><img data-xss src=x>'],
    )
    with pytest.raises(UploadRejected):
        create_link_asset(url=JS_URL, title="Bad link", owner=marketer, created_by=marketer)
    link = create_link_asset(
        url='https://video.example.com/watch?v=1&q="><script%20data-xss>window.__xss=1</script>',
        title=payload("Video")[:200],
        description=long_payload("Video text"),
        owner=marketer,
        created_by=marketer,
    )
    deal = factories.make_deal(owner=rep, name=payload("Deal")[:200], account=payload("Account")[:200])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Opportunity ID", "Opportunity Name", "Account Name", "Amount", "Stage", "Created Date"])
    writer.writerow(
        [
            "006XSS0001",
            payload("Imported deal"),
            payload("Imported account"),
            "1000",
            "Prospecting",
            "2026-01-05",
        ]
    )
    csv_file, _preset, mapping = importer.open_file(buffer.getvalue().encode())
    importer.run(
        importer.build_plan(csv_file, mapping, Options()), acting=admin, label=payload("Import label")
    )
    share = create_share(
        created_by=rep,
        assets=[asset, link],
        deal=deal,
        title=payload("Share title")[:200],
        recipient_name=payload("Recipient")[:120],
        recipient_company=payload("Company")[:200],
        recipient_email="pat@example.com",
        note=long_payload("Note"),
    )
    single = create_share(created_by=rep, assets=[asset], note=long_payload("Single note"))
    request_item = file_request(
        requester=rep, title=payload("Request")[:200], details=long_payload("Details")
    )
    answer_request(
        request_item, acting=marketer, status=RequestStatus.IN_PROGRESS, response=long_payload("Answer")
    )
    record_feedback(asset=asset, user=rep, rating=4, comment=long_payload("Comment"))
    create_token(rep, payload("Token")[:80])
    factories.make_user(Role.REP, name=payload("Other user")[:120])
    return {
        "asset_id": asset.id,
        "deal_id": deal.id,
        "share_id": share.id,
        "user_id": rep.id,
        "request_id": request_item.id,
        "token": share.token,
        "single": single.token,
        "version_id": asset.current_version_id,
    }


def _pages(app, values: dict) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or NOT_PAGES.search(rule.rule) or set(rule.arguments) - set(values):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[^:>]+:)?{arg}>", str(values[arg]), url)
        urls.append(url)
    return sorted(set(urls))


def _visit_all(page, base: str, urls: list[str]) -> dict[str, dict]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    found = {}
    for url in urls:
        page.goto(base + url)
        page.wait_for_load_state("networkidle")
        result = page.evaluate(PROBE)
        result["csp"] = [v for v in page.evaluate("window.__csp") if "inline" in v or "x" == v.split()[-1]]
        if result["ran"] or result["injected"] or result["jsLinks"] or result["csp"] or dialogs:
            found[url] = {**result, "dialogs": list(dialogs)}
            dialogs.clear()
    return found


@pytest.mark.parametrize("role", ["admin", "rep", "marketer"])
def test_no_page_runs_planted_scripts(live_server, browser_context, users, planted, role):
    browser_context.add_init_script(LISTEN)
    page = browser_context.new_page()
    page.set_default_timeout(15_000)
    email = users[role].email
    live_server.login(page, email, PASSWORD)
    urls = [u for u in _pages(live_server.app, planted) if not u.startswith("/s/")]
    urls += [
        "/search?q=" + SCRIPT.replace("<", "%3C").replace(">", "%3E"),
        "/search?q=%22%3E%3Cimg%20data-xss%20src=x%3E",
    ]
    assert len(urls) >= 15
    assert _visit_all(page, live_server.url, urls) == {}


def test_share_viewer_runs_no_planted_scripts(live_server, browser_context, planted):
    browser_context.add_init_script(LISTEN)
    page = browser_context.new_page()
    urls = [
        f"/s/{planted['token']}",
        f"/s/{planted['token']}/a/{planted['asset_id']}",
        f"/s/{planted['single']}",
    ]
    assert _visit_all(page, live_server.url, urls) == {}


def test_the_probe_catches_an_unescaped_payload(app, live_server, browser_context):
    """Control: the same checks do flag a page that prints a payload raw (CSP stops it running)."""

    def raw():
        return f"<!doctype html><html><body><p>{payload('Raw')}</p></body></html>"

    raw.hub_access = "public"
    app.add_url_rule("/__raw", "raw", raw)
    browser_context.add_init_script(LISTEN)
    page = browser_context.new_page()
    found = _visit_all(page, live_server.url, ["/__raw"])
    assert found["/__raw"]["injected"] == 2
    assert found["/__raw"]["ran"] is False  # the Content-Security-Policy held as the second line
    assert found["/__raw"]["csp"]
