"""The rep's Shares pages: who sees which links, revoking, expiry, statistics, activity and engagement."""

from __future__ import annotations

import json
import re
from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.database import driver_connection
from hub.extensions import db
from hub.models import AuditEntry
from hub.models import ShareVisit
from hub.models import utcnow
from hub.shares.engagement import asset_engagement
from hub.viewer import service as viewer
from tests.factories import make_pdf_asset
from tests.factories import make_share
from tests.factories import make_user


def _visit(share, pages: dict[int, float], asset=None, email: str | None = None) -> ShareVisit:
    """A prospect visit that read `pages` (page -> seconds) of the share's first asset."""
    asset = asset or share.items[0].asset
    visit = viewer.start_visit(share, viewer.new_visitor_key(), "Mozilla/5.0 (iPhone)")
    visit.started_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    viewer.record_open(share, visit, asset)
    if email:
        viewer.set_viewer_email(visit, email)
    with driver_connection() as connection:
        times = viewer.page_times(
            connection,
            visit.id,
            visit.started_at,
            asset.id,
            pages,
            page_total=3,
            visit_total=visit.total_seconds,
        )
        viewer.store_page_times(connection, [times])
    return visit


@pytest.fixture
def share(users):
    asset = make_pdf_asset(users["marketer"], title="Pricing deck", pages=3)
    return make_share(users["rep"], asset, recipient_company="Acme Corp")


def test_revoke(rep_client, client, share):
    page = rep_client.get(f"/shares/{share.id}").get_data(as_text=True)
    assert "Revoke link" in page
    response = rep_client.post(f"/shares/{share.id}/revoke")
    assert response.status_code == 302
    db.session.expire_all()
    assert share.revoked_at is not None
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "share.revoke")).one()
    assert "Revoked" in rep_client.get(f"/shares/{share.id}").get_data(as_text=True)
    assert client.get(f"/s/{share.token}").status_code == 410


def test_change_expiry(rep_client, client, share):
    later = date.today() + timedelta(days=90)
    response = rep_client.post(f"/shares/{share.id}/expiry", data={"expires_on": later.isoformat()})
    assert response.status_code == 302
    db.session.expire_all()
    assert share.expires_at.date() == later + timedelta(days=1)
    page = rep_client.get(f"/shares/{share.id}").get_data(as_text=True)
    assert f"Works through {later} (UTC)" in page
    # the form offers the same day again, so saving it unchanged does not add a day
    assert f'name="expires_on" type="date" value="{later}"' in page
    rep_client.post(f"/shares/{share.id}/expiry", data={"expires_on": ""})
    db.session.expire_all()
    assert share.expires_at is None
    past = rep_client.post(
        f"/shares/{share.id}/expiry", data={"expires_on": "2001-01-01"}, follow_redirects=True
    )
    assert "The expiry must be in the future." in past.get_data(as_text=True)
    db.session.expire_all()
    assert share.expires_at is None
    assert client.get(f"/s/{share.token}").status_code == 200


def test_reps_see_only_their_own_links(app, users, share):
    from tests.conftest import login

    other = make_user(email="other@example.com", password="pw-other-123")
    theirs = make_share(other, share.items[0].asset, title="Their link")
    rep_view = app.test_client()
    login(rep_view, users["rep"].email)
    index = rep_view.get("/shares").get_data(as_text=True)
    assert "Pricing deck" in index and "Their link" not in index
    assert rep_view.get(f"/shares/{theirs.id}").status_code == 404
    assert rep_view.post(f"/shares/{theirs.id}/revoke").status_code == 404
    assert rep_view.post(f"/shares/{theirs.id}/expiry", data={"expires_on": ""}).status_code == 404


def test_marketers_see_every_link(marketer_client, users, share):
    index = marketer_client.get("/shares").get_data(as_text=True)
    assert "Pricing deck" in index
    assert marketer_client.get(f"/shares/{share.id}").status_code == 200
    mine = marketer_client.get("/shares?scope=mine").get_data(as_text=True)
    assert "Pricing deck" not in mine


def test_index_shows_link_statistics_and_a_chart(rep_client, share):
    _visit(share, {1: 30, 2: 200, 3: 10})
    _visit(share, {1: 20})
    html = rep_client.get("/shares").get_data(as_text=True)
    card = html[html.index("share-card") :]
    assert re.search(r"Opens</dt><dd[^>]*>2<", card)
    assert re.search(r"Viewers</dt><dd[^>]*>2<", card)
    assert "4 min 20 s" in card
    charts = json.loads(re.search(r'id="share-charts">(.*?)</script>', html, re.S).group(1))
    assert charts[f"share-{share.id}"] == {"labels": ["p. 1", "p. 2", "p. 3"], "values": [50.0, 200.0, 10.0]}
    assert "chart.umd.min.js" in html and "<script>" not in html


def test_detail_lists_visits_and_page_times(rep_client, share):
    _visit(share, {1: 30, 2: 200}, email="jane@acme.example")
    html = rep_client.get(f"/shares/{share.id}").get_data(as_text=True)
    assert "jane@acme.example" in html
    assert "p.2 3 min 20 s" in html
    assert f'data-chart="asset-{share.items[0].asset_id}"' in html


def test_activity_feed_and_unread_count(rep_client, share):
    assert 'title="New prospect activity"' not in rep_client.get("/shares").get_data(as_text=True)
    _visit(share, {1: 20, 2: 40, 3: 180})
    _visit(share, {1: 5})
    nav = rep_client.get("/shares").get_data(as_text=True)
    assert re.search(r'title="New prospect activity">2<', nav)
    feed = rep_client.get("/shares/activity").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", feed)
    text = re.sub(r"\s+", " ", text)
    assert "Acme Corp opened Pricing deck, 4 min, most on page 3" in text
    assert text.count("New ") >= 2
    # reading the feed marks the visits seen
    after = rep_client.get("/shares").get_data(as_text=True)
    assert 'title="New prospect activity"' not in after
    db.session.expire_all()
    assert all(v.seen_at is not None for v in db.session.scalars(select(ShareVisit)))


def test_unread_counts_only_own_links(marketer_client, share):
    _visit(share, {1: 20})
    html = marketer_client.get("/shares").get_data(as_text=True)
    assert 'title="New prospect activity"' not in html
    # but the marketer's feed shows everyone's activity
    feed = marketer_client.get("/shares/activity").get_data(as_text=True)
    assert "Pricing deck" in feed


def test_asset_engagement(users, share):
    asset = share.items[0].asset
    _visit(share, {1: 30, 2: 60, 3: 30})
    _visit(share, {1: 10, 2: 20})
    _visit(share, {1: 5, 2: 5})
    _visit(share, {1: 40})
    data = asset_engagement(asset.id)
    assert data["shares"] == 1 and data["opens"] == 4 and data["viewers"] == 4
    assert data["total_seconds"] == 200.0 and data["average_seconds"] == 50.0
    assert data["drop_off_page"] == 2
    assert [(p["page"], p["viewers"], p["reach"]) for p in data["pages"]] == [
        (1, 4, 1.0),
        (2, 3, 0.75),
        (3, 1, 0.25),
    ]
    untouched = make_pdf_asset(users["marketer"], pages=2)
    empty = asset_engagement(untouched.id)
    assert empty["shares"] == 0 and empty["average_seconds"] is None and empty["drop_off_page"] is None


def test_engagement_page_for_marketers(marketer_client, rep_client, share):
    _visit(share, {1: 30, 2: 60})
    html = marketer_client.get("/shares/engagement").get_data(as_text=True)
    assert "Pricing deck" in html and "Page 2" in html and "1 min 30 s" in html
    assert rep_client.get("/shares/engagement").status_code == 403


def test_engagement_partial_renders_for_an_asset(app, share):
    from flask import render_template

    _visit(share, {1: 30, 2: 60})
    with app.test_request_context():
        html = render_template("shares/_asset_engagement.html", asset=share.items[0].asset)
    assert "Prospect engagement" in html and "<progress" in html and "1 min 30 s" in html


@pytest.mark.parametrize(
    "url",
    [
        "/shares/99999999999999999999",
        "/shares/new?deal_id=99999999999999999999",
    ],
)
def test_absurd_ids_are_not_found(rep_client, url):
    assert rep_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/shares/new?asset_id=99999999999999999999",
        "/shares/activity?page=99999999999999999999",
        "/shares?page=99999999999999999999&status=nonsense",
    ],
)
def test_absurd_parameters_are_harmless(rep_client, url):
    assert rep_client.get(url).status_code == 200


def test_the_activity_badge_is_counted_only_where_shown(rep_client, share, monkeypatch):
    from hub.shares import queries

    _visit(share, {1: 20})
    counted: list[int] = []
    real_count = queries.unread_count

    def counting(user):
        counted.append(real_count(user))
        return counted[-1]

    monkeypatch.setattr(queries, "unread_count", counting)
    fragment = rep_client.get("/search?q=pricing&fragment=1&live=1")
    assert fragment.status_code == 200 and not counted, "a live-results fragment has no navigation bar"
    page = rep_client.get("/shares").get_data(as_text=True)
    assert len(counted) == 1, "the navigation bar and the page's own button share one count"
    assert re.search(r'title="New prospect activity">1<', page)
    assert re.search(r'Activity <span class="badge text-bg-warning">1</span>', page)
