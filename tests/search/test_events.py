"""Every settled search is recorded with its query, filters and result count; clicks are tied to it."""

from __future__ import annotations

import re

from sqlalchemy import select

from hub.extensions import db
from hub.models import EventKind
from hub.models import UsageEvent
from tests import factories


def events(kind: EventKind) -> list[UsageEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(UsageEvent).where(UsageEvent.kind == kind).order_by(UsageEvent.id)))


def test_search_is_recorded_with_query_filters_and_count(rep_client, users):
    personas, _stages = factories.make_taxonomy()
    factories.make_asset(
        users["marketer"],
        title="ROI calculator",
        text="Payback in months",
        kind="txt",
        personas=[personas[0]],
    )
    rep_client.get(f"/search?q=payback&persona={personas[0].id}&sort=newest")
    rep_client.get("/search?q=nothingmatchesthis")
    first, zero = events(EventKind.SEARCH)
    assert first.user_id == users["rep"].id
    assert first.query == "payback"
    assert first.filters == {"personas": [personas[0].id], "sort": "newest"}
    assert first.result_count == 1
    assert len(first.search_id) == 32
    assert zero.result_count == 0


def test_live_keystrokes_are_not_recorded(rep_client, users):
    rep_client.get("/search?q=pa&fragment=1&live=1")
    rep_client.get("/search?q=pay&fragment=1&live=1")
    assert events(EventKind.SEARCH) == []
    rep_client.get("/search?q=payback&fragment=1")
    assert [e.query for e in events(EventKind.SEARCH)] == ["payback"]


def test_click_is_recorded_with_the_search_id_and_redirects(rep_client, users):
    asset = factories.make_asset(
        users["marketer"], title="Churn playbook", text="Renewal risk signals", kind="txt"
    )
    html = rep_client.get("/search?q=renewal").get_data(as_text=True)
    link = re.search(r'href="(/search/click\?[^"]+)"', html).group(1).replace("&amp;", "&")
    response = rep_client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assets/{asset.id}")
    (search,) = events(EventKind.SEARCH)
    (click,) = events(EventKind.SEARCH_CLICK)
    assert click.search_id == search.search_id
    assert click.asset_id == asset.id and click.user_id == users["rep"].id


def test_click_on_a_live_result_records_the_search_too(rep_client, users):
    asset = factories.make_asset(
        users["marketer"], title="Churn playbook", text="Renewal risk signals", kind="txt"
    )
    html = rep_client.get("/search?q=renewal&fragment=1&live=1").get_data(as_text=True)
    link = re.search(r'href="(/search/click\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "q=renewal" in link
    rep_client.get(link)
    (search,) = events(EventKind.SEARCH)
    (click,) = events(EventKind.SEARCH_CLICK)
    assert search.query == "renewal" and click.search_id == search.search_id and click.asset_id == asset.id


def test_bad_click_parameters(rep_client, users):
    assert rep_client.get("/search/click?asset_id=999999&sid=" + "a" * 32).status_code == 404
    assert rep_client.get("/search/click").status_code == 302
    asset = factories.make_asset(users["marketer"], title="Anything", kind="txt")
    response = rep_client.get(f"/search/click?asset_id={asset.id}&sid=not-hex")
    assert response.status_code == 302
    assert events(EventKind.SEARCH_CLICK) == []
