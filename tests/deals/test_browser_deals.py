"""Marketing imports a HubSpot export in a real browser; a rep closes a deal and copies a new API token."""

from __future__ import annotations

from sqlalchemy import select

from hub.extensions import db
from hub.models import Deal
from hub.models import DealStatus
from tests.conftest import PASSWORD
from tests.deals.conftest import FIXTURES


def test_import_flow_in_the_browser(live_server, page, users, crm_reps):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    live_server.login(page, users["marketer"].email, PASSWORD)
    page.goto(f"{live_server.url}/deals")
    page.click("text=Import from CSV")
    page.set_input_files("input[name=file]", str(FIXTURES / "hubspot_deals.csv"))
    page.click("button:has-text('Upload and map columns')")
    page.wait_for_url("**/map")
    assert "Recognised a HubSpot deals export" in page.content()
    assert page.locator("select[name=map_crm_id]").input_value() == "Record ID"
    page.click("button:has-text('Preview')")
    page.wait_for_url("**/preview")
    assert page.locator("text=Globex - Annual Subscription").count() == 1
    page.click("button:has-text('Import 5 deals')")
    page.wait_for_selector("text=Import finished")
    assert "5 created, 0 updated, 0 unchanged" in page.content()
    page.click("text=See the deals")
    # the filter submits itself from deals.js, which runs once the page has loaded
    page.wait_for_url("**/deals**", wait_until="load")
    page.select_option("select[name=status]", "won")
    page.wait_for_url("**status=won**")
    assert page.locator("text=Globex - Annual Subscription").count() == 1
    assert page.locator("text=Initech - Seat Expansion").count() == 0
    assert errors == []


def test_rep_closes_a_deal_and_creates_a_token(live_server, page, users):
    from tests import factories

    deal = factories.make_deal(owner=users["rep"], name="Contoso expansion")
    live_server.login(page, users["rep"].email, PASSWORD)
    page.goto(f"{live_server.url}/deals/{deal.id}")
    page.select_option("select[name=status]", "won")
    page.click("button:has-text('Save outcome')")
    page.wait_for_selector("text=Deal closed as won")
    db.session.expire_all()
    assert db.session.scalar(select(Deal)).status == DealStatus.WON

    page.goto(f"{live_server.url}/profile")
    page.fill("input[name=name]", "Email add-in")
    page.click("button:has-text('Create token')")
    token = page.locator("#new-token").input_value()
    assert token.startswith("hub_")
    page.goto(f"{live_server.url}/profile")
    assert token not in page.content()
